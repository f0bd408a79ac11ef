package dev.lastcall.platform.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import dev.lastcall.platform.database.Transactions;
import dev.lastcall.platform.database.internal.Database;
import dev.lastcall.platform.http.Json;
import dev.lastcall.platform.http.Routes;
import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.testing.RawHttp;
import dev.lastcall.platform.testing.TestService;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Once the database phase of a stop has begun, {@code Transactions} refuses new work, and a request
 * that needs it gets 503 with {@code Retry-After}: the other answer, besides the drain's deadline,
 * that a request on an open connection can get instead of being served.
 */
class DatabasePhaseRefusalIT {

    private static final String COUNT = "GET /count HTTP/1.1\r\nHost: test\r\n\r\n";

    @Test
    void aRequestOnceTheDatabasePhaseHasBegunIs503WithRetryAfter() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setRegisterShutdownHook(false).start();
                TestService service = TestService.builder()
                        .env("LASTCALL_DB_URL", "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres")
                        .env("LASTCALL_DB_USER", "postgres")
                        .module(new CountRoute())
                        .start();
                RawHttp keptAlive = RawHttp.open(service.httpPort())) {
            assertThat(keptAlive.send(COUNT).read().status()).isEqualTo(200);

            // the shutdown sequence's step 5 on its own, while HTTP still serves this connection
            service.get(Database.class).stop(Deadline.after(Duration.ofSeconds(5)));
            RawHttp.Response refused = keptAlive.send(COUNT).read();

            HttpServerIT.assertProblem(refused.status(), refused.header("content-type"), refused.body(), 503,
                    "service_unavailable");
            assertThat(refused.header("retry-after")).isEqualTo("1");
        }
    }

    private static final class CountRoute extends AbstractModule {
        @Override
        protected void configure() {
            Routes.of(binder()).serve("/count", Count.class);
        }
    }

    /** Asks the database for something, as every ledger route does. */
    static final class Count extends HttpServlet {
        private final Transactions transactions;
        private final Json json;

        @Inject
        Count(Transactions transactions, Json json) {
            this.transactions = transactions;
            this.json = json;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            long one = transactions.execute(connection -> {
                try (var statement = connection.prepareStatement("SELECT 1"); var rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            });
            json.write(response, 200, Map.of("one", one));
        }
    }
}
