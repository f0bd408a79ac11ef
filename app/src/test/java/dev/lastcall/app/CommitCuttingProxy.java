package dev.lastcall.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy in front of PostgreSQL that cuts one connection at its COMMIT: the connection whose
 * transaction carried a marker (e.g. an Idempotency-Key) has its {@code COMMIT} either forwarded
 * and then cut before the server's answer comes back (the commit happened, the client cannot know),
 * or cut before it reaches the server (it did not). The client must use {@code prepareThreshold=0}
 * so that every statement, COMMIT included, crosses as text.
 */
final class CommitCuttingProxy implements AutoCloseable {

    enum Cut { AFTER_THE_SERVER_GOT_IT, BEFORE_THE_SERVER_GOT_IT }

    private record Armed(byte[] marker, Cut cut, CountDownLatch done) {}

    private static final byte[] COMMIT = "COMMIT".getBytes(StandardCharsets.US_ASCII);
    /** Long enough for the server to commit what was forwarded before the cut. */
    private static final long COMMIT_GRACE_MILLIS = 500;

    private final ServerSocket listener;
    private final int upstreamPort;
    private final AtomicReference<Armed> armed = new AtomicReference<>();

    CommitCuttingProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("proxy-accept").start(this::accept);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The next transaction that sends {@code marker} is cut at its COMMIT; the latch opens when it is. */
    CountDownLatch cutCommitOf(String marker, Cut cut) {
        Armed next = new Armed(marker.getBytes(StandardCharsets.UTF_8), cut, new CountDownLatch(1));
        armed.set(next);
        return next.done();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort));
                AtomicBoolean muted = new AtomicBoolean();
                Thread.ofVirtual().start(() -> serverToClient(server, client, muted));
                Thread.ofVirtual().start(() -> clientToServer(client, server, muted));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** @param muted set when the server's answers must no longer reach the client */
    private void clientToServer(Socket client, Socket server, AtomicBoolean muted) {
        boolean sawMarker = false;
        byte[] buffer = new byte[65536];
        try (client; server) {
            InputStream in = client.getInputStream();
            OutputStream out = server.getOutputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                Armed current = armed.get();
                if (current != null && contains(buffer, n, current.marker())) {
                    sawMarker = true;
                }
                if (sawMarker && current != null && contains(buffer, n, COMMIT) && armed.compareAndSet(current, null)) {
                    muted.set(true);
                    if (current.cut() == Cut.AFTER_THE_SERVER_GOT_IT) {
                        out.write(buffer, 0, n);
                        out.flush();
                        Thread.sleep(COMMIT_GRACE_MILLIS);
                    }
                    current.done().countDown();
                    return;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // either side went away: the other is closed with it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void serverToClient(Socket server, Socket client, AtomicBoolean muted) {
        byte[] buffer = new byte[65536];
        try (server; client) {
            InputStream in = server.getInputStream();
            OutputStream out = client.getOutputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (muted.get()) {
                    continue;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // either side went away: the other is closed with it
        }
    }

    private static boolean contains(byte[] buffer, int length, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (buffer[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
