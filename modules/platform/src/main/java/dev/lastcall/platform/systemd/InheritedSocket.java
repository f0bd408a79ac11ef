package dev.lastcall.platform.systemd;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
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
    private final boolean viaStdin;
    private boolean taken;

    /** @param viaStdin whether to take it as the JDK's inherited channel (one per process) or in place of a placeholder */
    InheritedSocket(int fd, String origin, boolean viaStdin) {
        this.fd = fd;
        this.origin = origin;
        this.viaStdin = viaStdin;
    }

    /** The port it listens on; a channel taken in place of a placeholder reports the placeholder's. */
    public int port() throws IOException {
        return Libc.localPort(fd);
    }

    /** Where it came from, for a log line: "fd 4 (LISTEN_FDNAMES admin)". */
    public String origin() {
        return origin;
    }

    /** The socket as a channel; it can be taken once. */
    public synchronized ServerSocketChannel take() throws IOException {
        if (taken) {
            throw new IllegalStateException("the socket systemd passed on " + origin + " is already in use");
        }
        taken = true;
        if (!viaStdin) {
            return inPlaceOfPlaceholder();
        }
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

    /**
     * The JDK makes a channel of an inherited descriptor only for stdin, once. Any other becomes a
     * channel by taking the place of a channel's own socket: a placeholder bound to a loopback
     * port, found by that port, replaced by {@code dup2} (the JDK still reports the placeholder's
     * address, hence {@link #port}).
     */
    private ServerSocketChannel inPlaceOfPlaceholder() throws IOException {
        boolean ipv4 = Libc.socketOption(fd, Libc.SO_DOMAIN) == Libc.AF_INET;
        ServerSocketChannel placeholder = ServerSocketChannel.open(ipv4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        try {
            placeholder.bind(new InetSocketAddress(InetAddress.getByName(ipv4 ? "127.0.0.1" : "::1"), 0), 1);
            int placeholderPort = ((InetSocketAddress) placeholder.getLocalAddress()).getPort();
            int placeholderFd = ListeningSockets.descriptorOf(placeholderPort);
            Libc.dup2(fd, placeholderFd);
            Libc.close(fd);
            return placeholder;
        } catch (IOException | RuntimeException e) {
            placeholder.close();
            throw e;
        }
    }

    @Override
    public String toString() {
        return "the socket systemd passed on " + origin;
    }
}
