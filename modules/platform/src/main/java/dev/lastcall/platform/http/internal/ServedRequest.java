package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.context.RequestContext;
import jakarta.servlet.ServletRequest;
import java.util.Optional;
import org.eclipse.jetty.server.Request;
import org.jspecify.annotations.Nullable;

/**
 * What the server knows about a request beyond what Jetty keeps: its context, and the route (the
 * servlet mapping's pattern) that served it, for the access log. Kept as an attribute of Jetty's
 * request, which the servlet request reads through to.
 */
final class ServedRequest {

    static final String ATTRIBUTE = ServedRequest.class.getName();

    private final RequestContext context;
    private volatile @Nullable String route;
    private volatile long problemBytes;

    ServedRequest(RequestContext context) {
        this.context = context;
    }

    static Optional<ServedRequest> of(Request request) {
        return request.getAttribute(ATTRIBUTE) instanceof ServedRequest served ? Optional.of(served) : Optional.empty();
    }

    static Optional<ServedRequest> of(ServletRequest request) {
        return request.getAttribute(ATTRIBUTE) instanceof ServedRequest served ? Optional.of(served) : Optional.empty();
    }

    RequestContext context() {
        return context;
    }

    /** The pattern of the servlet mapping that served the request; empty when none matched. */
    Optional<String> route() {
        return Optional.ofNullable(route);
    }

    void route(String pattern) {
        route = pattern;
    }

    /** The size of the problem body Jetty's error handling wrote, 0 if none. */
    long problemBytes() {
        return problemBytes;
    }

    void problemBytes(long bytes) {
        problemBytes = bytes;
    }
}
