package dev.lastcall.platform.http.internal;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.util.Optional;

/** Where the public listener comes from: a port bound here, or a socket this process inherited. */
@FunctionalInterface
public interface ListenerSource {

    /** A listening channel to serve on, or empty to bind {@code http.host:http.port}. */
    Optional<ServerSocketChannel> inherited() throws IOException;

    /** Binds {@code http.host:http.port} as usual. */
    ListenerSource BIND = Optional::empty;
}
