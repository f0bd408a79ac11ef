package dev.lastcall.platform.http;

import java.io.IOException;
import org.eclipse.jetty.server.ServerConnector;

/** Where the public listener comes from: a port bound here, or a socket handed over by systemd. */
public interface ListenerSource {

    void configure(ServerConnector connector, HttpSettings settings) throws IOException;

    /** Binds {@code http.host:http.port} as usual. */
    ListenerSource BIND = (connector, settings) -> {
        connector.setHost(settings.host());
        connector.setPort(settings.port());
    };
}
