package dev.lastcall.app.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Clients that each open a new connection per request, over and over, so that every moment of a
 * restart sees connection attempts. Any HTTP answer counts as served; a refused, reset or silent
 * connection is a failure.
 */
final class ProbeClients {

    /** One request: when it began and ended, and its status line or what went wrong. */
    record Result(long startedAt, long endedAt, String statusLine, String failure) {

        boolean answered() {
            return failure.isEmpty();
        }
    }

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Longer than a JVM takes to start: a request may wait in the backlog for the next process. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    /** A bound on the whole run, so a test that forgets to stop them cannot spin forever. */
    private static final Duration MAX_RUN = Duration.ofMinutes(3);
    private static final byte[] REQUEST = ("GET /socket-activation-probe HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    private final InetSocketAddress target;
    private final ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    private ProbeClients(InetSocketAddress target) {
        this.target = target;
    }

    static ProbeClients start(int port, int clients) {
        ProbeClients probes = new ProbeClients(new InetSocketAddress("127.0.0.1", port));
        for (int i = 0; i < clients; i++) {
            probes.threads.add(Thread.ofPlatform().name("probe-" + i).start(probes::run));
        }
        return probes;
    }

    /** Waits until {@code count} more requests have been answered. */
    void awaitAnswers(int count) throws InterruptedException {
        long target = answered() + count;
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (answered() < target && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    List<Result> stop() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join();
        }
        return List.copyOf(results);
    }

    private long answered() {
        return results.stream().filter(Result::answered).count();
    }

    private void run() {
        long end = System.nanoTime() + MAX_RUN.toNanos();
        while (running.get() && System.nanoTime() < end) {
            long startedAt = System.nanoTime();
            try (Socket socket = new Socket()) {
                socket.connect(target, (int) CONNECT_TIMEOUT.toMillis());
                socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
                OutputStream out = socket.getOutputStream();
                out.write(REQUEST);
                out.flush();
                InputStream in = socket.getInputStream();
                String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                int lineEnd = response.indexOf("\r\n");
                String statusLine = lineEnd < 0 ? response : response.substring(0, lineEnd);
                results.add(statusLine.startsWith("HTTP/1.1 ")
                        ? new Result(startedAt, System.nanoTime(), statusLine, "")
                        : new Result(startedAt, System.nanoTime(), "", "no HTTP answer: '" + statusLine + "'"));
            } catch (IOException e) {
                results.add(new Result(startedAt, System.nanoTime(), "", e.toString()));
            }
        }
    }
}
