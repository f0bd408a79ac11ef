package dev.lastcall.platform.http.internal;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * During the drain delay every response carries {@code Connection: close}, so a proxy retires its
 * pooled connections one by one instead of racing the server's close of an idle one.
 */
final class ConnectionClosing extends Handler.Wrapper {

    private volatile boolean closing;

    void closeEveryConnection() {
        closing = true;
    }

    boolean closing() {
        return closing;
    }

    void apply(Response response) {
        if (closing) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        apply(response);
        return super.handle(request, response, callback);
    }
}
