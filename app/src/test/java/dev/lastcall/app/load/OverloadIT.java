package dev.lastcall.app.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastcall.app.ServiceProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many more clients than the service's admission limit and queue hold, on a pool of two: what is
 * not admitted is refused with 503 {@code overloaded} and {@code Retry-After}, nothing else fails,
 * every admitted transfer is in the ledger and no refused one is, and the service is healthy after.
 */
class OverloadIT {

    private static final String CURRENCY = "EUR";
    private static final List<String> ACCOUNTS = IntStream.range(0, 8).mapToObj(i -> "over-" + i).toList();
    private static final int CLIENTS = 60;
    /** The load runs at least this long, and on until enough was both admitted and refused, or {@link #LONGEST_LOAD}. */
    private static final Duration SHORTEST_LOAD = Duration.ofSeconds(3);
    private static final Duration LONGEST_LOAD = Duration.ofSeconds(60);
    private static final int ENOUGH = 5;
    /** Refused clients come back soon, to keep the service overloaded through the run. */
    private static final Duration PAUSE_AFTER_REFUSAL = Duration.ofMillis(50);

    @TempDir
    Path work;

    @Test
    void refusesWhatItCannotAdmitWith503AndLosesNothing() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                        .setDataDirectory(work.resolve("postgres")).setCleanDataDirectory(true).start();
                ServiceProcess service = ServiceProcess.builder().label("overload")
                        .env("LASTCALL_DB_URL", "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres")
                        .env("LASTCALL_DB_USER", "postgres")
                        .env("LASTCALL_DB_POOL_SIZE", "2")
                        .env("LASTCALL_HTTP_MAX_ACTIVE_REQUESTS", "2")
                        .env("LASTCALL_HTTP_MAX_QUEUED_REQUESTS", "4")
                        .env("LASTCALL_HTTP_QUEUE_TIMEOUT", "200ms")
                        .env("LASTCALL_HTTP_ACCESS_LOG", "false")
                        .start();
                Connection db = DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres", "postgres", "")) {
            service.awaitReady();
            HttpClient http = HttpClient.newHttpClient();
            for (String account : ACCOUNTS) {
                assertThat(post(http, service.httpPort(), "/v1/accounts",
                        "{\"code\":\"%s\",\"currency\":\"%s\",\"allowNegative\":true}".formatted(account, CURRENCY))
                        .statusCode()).isEqualTo(201);
            }

            OverloadClients load = OverloadClients.start(service.httpPort(), CLIENTS, ACCOUNTS, CURRENCY, PAUSE_AFTER_REFUSAL);
            // Not a timed assertion: on a busy machine the service admits fewer, so the load runs longer.
            long begin = System.nanoTime();
            Thread.sleep(SHORTEST_LOAD);
            while ((load.admitted().size() < ENOUGH || load.refused().size() < ENOUGH)
                    && System.nanoTime() - begin < LONGEST_LOAD.toNanos()) {
                Thread.sleep(250);
            }
            load.close();
            System.out.printf("overload: %d admitted, %d refused, %d other answers%n",
                    load.admitted().size(), load.refused().size(), load.unexpected().size());

            assertThat(load.unexpected()).as("answers other than 201 and 503 overloaded with Retry-After").isEmpty();
            assertThat(load.admitted()).as("admitted transfers").isNotEmpty();
            assertThat(load.refused()).as("transfers refused as overloaded").isNotEmpty();
            LedgerInvariants.Report ledger = LedgerInvariants.check(db, load.admitted());
            assertThat(ledger.violations()).as("ledger invariants (%s)", ledger.summary()).isEmpty();
            assertThat(ledger.unacknowledgedTransfers()).as("transfers no client saw admitted").isZero();
            assertThat(keysStored(db)).as("Idempotency-Keys of refused transfers in the ledger")
                    .doesNotContainAnyElementsOf(load.refused());

            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + service.adminPort() + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as("readiness after the overload: %s", ready.body()).isEqualTo(200);
            String refusedKey = load.refused().iterator().next();
            HttpResponse<String> retried = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + service.httpPort() + "/v1/transfers"))
                    .header("Content-Type", "application/json").header("Idempotency-Key", refusedKey)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"from\":\"%s\",\"to\":\"%s\",\"amount\":1,\"currency\":\"%s\",\"reference\":\"%s\"}"
                            .formatted(ACCOUNTS.get(0), ACCOUNTS.get(1), CURRENCY, refusedKey))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(retried.statusCode()).as("a refused transfer retried once the load is gone: %s", retried.body())
                    .isEqualTo(201);
            assertThat(retried.headers().firstValue("Idempotent-Replayed")).as("a first answer, not a replay").isEmpty();

            service.signal("TERM");
            assertThat(service.awaitExit(Duration.ofSeconds(60))).as("exit status").isZero();
            assertThat(service.output()).doesNotContain(" ERROR ");
        }
    }

    private static HttpResponse<String> post(HttpClient http, int port, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Set<String> keysStored(Connection db) throws Exception {
        Set<String> keys = new HashSet<>();
        try (Statement sql = db.createStatement();
                ResultSet rows = sql.executeQuery("SELECT idempotency_key FROM ledger_idempotency_key")) {
            while (rows.next()) {
                keys.add(rows.getString(1));
            }
        }
        return keys;
    }
}
