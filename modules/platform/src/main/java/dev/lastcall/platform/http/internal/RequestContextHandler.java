package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.context.RequestContext;
import dev.lastcall.platform.context.RequestId;
import dev.lastcall.platform.context.TraceParent;
import java.util.Optional;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The outermost handler: gives every request its {@link RequestContext} (the client's valid
 * {@code X-Request-Id} or a new one; the request's span when a valid {@code traceparent} came),
 * echoes the ID in the response, and handles the request with the context current and in the
 * logging MDC. Responses Jetty writes itself (404, 413, the drain's 503) pass here too.
 */
final class RequestContextHandler extends Handler.Wrapper {

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        RequestContext context = RequestContext.of(
                RequestId.fromHeaders(request.getHeaders().getValuesList(RequestId.HEADER)),
                TraceParent.fromHeaders(request.getHeaders().getValuesList(TraceParent.HEADER)));
        request.setAttribute(ServedRequest.ATTRIBUTE, new ServedRequest(context));
        echo(context, response);
        return context.call(() -> super.handle(request, response, callback));
    }

    /**
     * Puts the request's ID in its response again, after something reset the response's headers. A
     * request too malformed to reach this handler gets a new ID here, for its 400 and its access line.
     */
    static void echo(Request request, Response response) {
        ServedRequest served = ServedRequest.of(request).orElseGet(() -> {
            ServedRequest unparsed = new ServedRequest(RequestContext.of(RequestId.generate(), Optional.empty()));
            request.setAttribute(ServedRequest.ATTRIBUTE, unparsed);
            return unparsed;
        });
        echo(served.context(), response);
    }

    private static void echo(RequestContext context, Response response) {
        response.getHeaders().put(RequestId.HEADER, context.requestId().value());
    }
}
