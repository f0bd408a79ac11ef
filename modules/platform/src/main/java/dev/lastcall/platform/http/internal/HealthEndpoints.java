package dev.lastcall.platform.http.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.platform.lifecycle.Lifecycle;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.util.function.Function;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpStatus;
import org.jspecify.annotations.Nullable;

/** {@code /health/live} and {@code /health/ready}: 200 or 503 with the {@link Health} of the moment. */
final class HealthEndpoints {

    private final Provider<Lifecycle> lifecycle;
    private final HttpServer http;
    private final DatabaseProbe database;
    private final ObjectMapper mapper;

    /** @param lifecycle a provider: the lifecycle is made of the components, the admin port among them */
    @Inject
    HealthEndpoints(Provider<Lifecycle> lifecycle, HttpServer http, DatabaseProbe database, ObjectMapper mapper) {
        this.lifecycle = lifecycle;
        this.http = http;
        this.database = database;
        this.mapper = mapper;
    }

    AdminEndpoint live() {
        return endpoint("/health/live", Health::live);
    }

    AdminEndpoint ready() {
        return endpoint("/health/ready", Health::ready);
    }

    Health now() {
        // The database first: its check may wait, and the rest should be as of the answer.
        Health.DatabaseHealth databaseHealth = database.check();
        return Health.of(lifecycle.get().state(), databaseHealth, http.accepting(), http.inFlight());
    }

    private AdminEndpoint endpoint(String path, Predicate<Health> up) {
        return new AdminEndpoint() {
            @Override
            public String path() {
                return path;
            }

            @Override
            public Answer answer(Function<String, @Nullable String> header) throws Exception {
                Health health = now();
                return new Answer(up.test(health) ? HttpStatus.OK_200 : HttpStatus.SERVICE_UNAVAILABLE_503,
                        "application/json", mapper.writeValueAsBytes(health));
            }
        };
    }
}
