package dev.lastcall.platform.http.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Times every request of the public server as OpenTelemetry's {@code http.server.request.duration}
 * names it, labelled with the method, the route and the status. Outside the drain, so it also
 * times what Jetty answers itself: 404 and 405, 413, and the drain's 503.
 *
 * <p>Every label has few values whatever clients send: the route is the template of the path
 * ({@code /v1/accounts/{code}}), else the pattern of the servlet mapping that serves it ({@code
 * /v1/accounts/*}), or {@value #UNMATCHED}; a method
 * outside HTTP's standard ones is {@value #OTHER_METHOD}.
 */
final class RequestMetrics extends Handler.Wrapper {

    static final String NAME = "http.server.request.duration";
    static final String UNMATCHED = "unmatched";
    static final String OTHER_METHOD = "_OTHER";

    /** OpenTelemetry's known methods; any other one is {@value #OTHER_METHOD}. */
    private static final Set<String> KNOWN_METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
    /** OpenTelemetry's advised bucket boundaries for this histogram, in seconds. */
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(75), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofMillis(750), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofMillis(7500), Duration.ofSeconds(10)};

    private record Labels(String method, String route, int status) {}

    private final MeterRegistry registry;
    private final RouteNames routes;
    private final ConcurrentMap<Labels, Timer> timers = new ConcurrentHashMap<>();

    RequestMetrics(MeterRegistry registry, RouteNames routes) {
        this.registry = registry;
        this.routes = routes;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (InMemory.sent(request)) {
            return super.handle(request, response, callback);
        }
        String method = method(request.getMethod());
        String route = route(Request.getPathInContext(request));
        long begin = request.getBeginNanoTime();
        Request.addCompletionListener(request, failure -> timer(new Labels(method, route, response.getStatus()))
                .record(System.nanoTime() - begin, TimeUnit.NANOSECONDS));
        return super.handle(request, response, callback);
    }

    static String method(String method) {
        return KNOWN_METHODS.contains(method) ? method : OTHER_METHOD;
    }

    String route(String pathInContext) {
        return routes.of(pathInContext).orElse(UNMATCHED);
    }

    private Timer timer(Labels labels) {
        return timers.computeIfAbsent(labels, l -> Timer.builder(NAME)
                .description("Duration of HTTP server requests")
                .tag("http.request.method", l.method())
                .tag("http.route", l.route())
                .tag("http.response.status_code", Integer.toString(l.status()))
                .serviceLevelObjectives(BUCKETS)
                .register(registry));
    }
}
