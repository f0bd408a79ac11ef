package dev.lastcall.platform.systemd;

import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening socket systemd passed, for the HTTP server to serve on instead of binding a port. The JDK turns
 * only stdin into a channel ({@link System#inheritedChannel()}), so a socket on fd 3 moves to fd
 * 0 first. Closing the channel closes this process's copies only: systemd keeps the socket open,
 * and new connections wait in its backlog for the next process.
 */
public final class InheritedSocket {

    private static final Logger log = LoggerFactory.getLogger(InheritedSocket.class);

    private final int fd;
    private final String origin;
    private boolean taken;

    InheritedSocket(int fd, String origin) {
        this.fd = fd;
        this.origin = origin;
    }

    /** The socket as a channel; it can be taken once. */
    public synchronized ServerSocketChannel take() throws IOException {
        if (taken) {
            throw new IllegalStateException("the socket systemd passed on " + origin + " is already in use");
        }
        taken = true;
        ServerSocketChannel channel = channel();
        log.info("http: using the listening socket systemd passed on {}: {} (http.host and http.port are not bound)",
                origin, channel.getLocalAddress());
        return channel;
    }

    private ServerSocketChannel channel() throws IOException {
        StandardStreams.moveOffStandardDescriptors();
        if (fd != SocketActivation.STDIN) {
            Libc.dup2(fd, SocketActivation.STDIN);
            Libc.close(fd);
        }
        Channel inherited = System.inheritedChannel();
        if (!(inherited instanceof ServerSocketChannel channel)) {
            throw new IOException("socket activation: the JDK does not see a listening socket on stdin but " + inherited);
        }
        return channel;
    }

    @Override
    public String toString() {
        return "the socket systemd passed on " + origin;
    }
}
