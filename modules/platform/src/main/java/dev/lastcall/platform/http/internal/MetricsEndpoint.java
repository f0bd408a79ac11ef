package dev.lastcall.platform.http.internal;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpStatus;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /metrics}: every meter of the registry in the Prometheus text format, or in OpenMetrics
 * when the {@code Accept} header asks for {@code application/openmetrics-text} (as Prometheus does).
 */
public final class MetricsEndpoint implements AdminEndpoint {

    static final String PATH = "/metrics";
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_TEXT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    @Inject
    MetricsEndpoint(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public String path() {
        return PATH;
    }

    @Override
    public Answer answer(Function<String, @Nullable String> header) throws IOException {
        String contentType = contentType(header.apply("Accept"));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        // the registry picks its writer by this content type
        registry.scrape(body, contentType);
        return new Answer(HttpStatus.OK_200, contentType, body.toByteArray());
    }

    static String contentType(@Nullable String accept) {
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text")
                ? OPENMETRICS_TEXT
                : PROMETHEUS_TEXT;
    }
}
