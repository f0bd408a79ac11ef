package dev.lastcall.platform.http.internal;

import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Request;

/** Requests this process sends itself through {@link HttpServer#openInMemory}: a warm-up's, and only those. */
final class InMemory {

    private InMemory() {}

    static boolean sent(Request request) {
        return request.getConnectionMetaData().getConnector() instanceof LocalConnector;
    }
}
