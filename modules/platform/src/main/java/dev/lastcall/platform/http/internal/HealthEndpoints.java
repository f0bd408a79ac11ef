package dev.lastcall.platform.http.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.platform.lifecycle.Lifecycle;
import jakarta.inject.Provider;
import java.util.function.Function;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpStatus;
import org.jspecify.annotations.Nullable;

/** {@code /health/live} and {@code /health/ready}: 200 or 503 with the lifecycle's {@link Health}. */
final class HealthEndpoints {

    private HealthEndpoints() {}

    static AdminEndpoint live(Provider<Lifecycle> lifecycle, HttpServer http, ObjectMapper mapper) {
        return endpoint("/health/live", Health::live, lifecycle, http, mapper);
    }

    static AdminEndpoint ready(Provider<Lifecycle> lifecycle, HttpServer http, ObjectMapper mapper) {
        return endpoint("/health/ready", Health::ready, lifecycle, http, mapper);
    }

    private static AdminEndpoint endpoint(String path, Predicate<Health> up, Provider<Lifecycle> lifecycle,
            HttpServer http, ObjectMapper mapper) {
        return new AdminEndpoint() {
            @Override
            public String path() {
                return path;
            }

            @Override
            public Answer answer(Function<String, @Nullable String> header) throws Exception {
                Health health = Health.of(lifecycle.get(), http.inFlight());
                return new Answer(up.test(health) ? HttpStatus.OK_200 : HttpStatus.SERVICE_UNAVAILABLE_503,
                        "application/json", mapper.writeValueAsBytes(health));
            }
        };
    }
}
