package dev.lastcall.platform.systemd;

import dev.lastcall.platform.http.HttpSettings;
import dev.lastcall.platform.http.ListenerSource;
import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening socket systemd passed, handed to Jetty instead of binding a port. The JDK turns
 * only stdin into a channel ({@link System#inheritedChannel()}), so a socket on fd 3 moves to fd
 * 0 first. Closing the channel closes this process's copies only: systemd keeps the socket open,
 * and new connections wait in its backlog for the next process.
 */
final class InheritedListener implements ListenerSource {

    private static final Logger log = LoggerFactory.getLogger(InheritedListener.class);

    private final int fd;
    private final String origin;
    private boolean taken;

    InheritedListener(int fd, String origin) {
        this.fd = fd;
        this.origin = origin;
    }

    @Override
    public synchronized void configure(ServerConnector connector, HttpSettings settings) throws IOException {
        if (taken) {
            throw new IllegalStateException("the socket systemd passed on " + origin + " is already in use");
        }
        taken = true;
        ServerSocketChannel channel = take();
        connector.open(channel);
        log.info("http: using the listening socket systemd passed on {}: {} (http.host and http.port are not bound)",
                origin, channel.getLocalAddress());
    }

    private ServerSocketChannel take() throws IOException {
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
