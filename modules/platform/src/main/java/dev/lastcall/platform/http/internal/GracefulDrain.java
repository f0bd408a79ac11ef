package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.lifecycle.Deadline;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * Jetty's graceful drain, except that a request arriving during the drain on a connection that is
 * already open is served while the drain's deadline allows, where Jetty would answer 503. Its
 * client sent it before it could know of the stop, and over HTTP/1.1 the server has no way to say
 * "not on this connection" but an answer. The answer carries {@code Connection: close}, as every
 * response from the stop on (see {@link ConnectionClosing}), so each connection gets at most one
 * more request and the drain stays bounded. Past the deadline a request gets 503 with
 * {@code Retry-After} and {@code Connection: close}.
 */
final class GracefulDrain extends GracefulHandler {

    private volatile @Nullable Deadline servesUntil;

    /** From now on requests are served until {@code deadline}, then refused; call before {@link #shutdown}. */
    void serveUntil(Deadline deadline) {
        servesUntil = deadline;
    }

    @Override
    protected void handleShutdownRejection(Request request, Response response, Callback callback) {
        Handler next = getHandler();
        Deadline until = servesUntil;
        if (next == null || until == null || until.hasExpired()) {
            super.handleShutdownRejection(request, response, callback);
            return;
        }
        // callback is Jetty's tracking callback: the drain waits for this request like any other
        try {
            if (!next.handle(request, response, callback)) {
                Response.writeError(request, response, callback, 404);
            }
        } catch (Throwable failure) {
            Response.writeError(request, response, callback, failure);
        }
    }
}
