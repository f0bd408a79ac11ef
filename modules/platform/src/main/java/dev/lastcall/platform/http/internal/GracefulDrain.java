package dev.lastcall.platform.http.internal;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's graceful drain, except that the first request on a connection is served even after the
 * drain began. Such a connection was accepted just before the listener closed; its client has no
 * other request it could have sent elsewhere, and with a listener that systemd holds, it is exactly
 * the connection the next process would have served. A 503 there would be a failure for nothing.
 * Later requests on kept-alive connections still get 503 with {@code Connection: close}.
 */
final class GracefulDrain extends GracefulHandler {

    @Override
    protected void handleShutdownRejection(Request request, Response response, Callback callback) {
        Handler next = getHandler();
        if (next == null || !firstOnItsConnection(request)) {
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

    static boolean firstOnItsConnection(Request request) {
        Connection connection = request.getConnectionMetaData().getConnection();
        return connection.getMessagesIn() <= 1;
    }
}
