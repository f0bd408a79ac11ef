package dev.lastcall.platform.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastcall.platform.lifecycle.StopReport;
import dev.lastcall.platform.systemd.DescriptorCopies;
import dev.lastcall.platform.systemd.ListeningSockets;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The close of a listener this process bound itself, under a flood of new connections, as a
 * proxy makes during a drain delay (every answer says {@code Connection: close}). A connection
 * the kernel accepts must be answered; one it does not accept must be refused before the client
 * sends, so that a proxy can try another instance even with a request it may not repeat.
 */
class ListenerCloseIT {

    private static final int STOPS = 30;
    private static final int CLIENTS = 16;
    private static final int HOGS = 3;
    private static final String BODY = "{\"amount\":1,\"currency\":\"EUR\"}";
    private static final String REQUEST = "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + BODY.length() + "\r\nConnection: close\r\n\r\n" + BODY;
    /** A connection request the kernel ignores is tried again after a second; a proxy's is refused then. */
    private static final Duration TURNED_AWAY_AFTER = Duration.ofMillis(250);

    @Test
    void noConnectionIsResetAfterItsRequestWasSentWhileTheListenerCloses() throws Exception {
        Flood total = new Flood();
        stopUnderFlood(total);
        System.out.printf("%d stops: %d answered, %d refused, %d turned away, %d reset after sending%n",
                STOPS, total.answered.get(), total.refused.get(), total.turnedAway.get(), total.failures.size());
        assertThat(total.failures).as("connections accepted and then reset or closed unanswered").isEmpty();
        assertThat(total.turnedAway.get()).as("connection requests ignored while the listener closed").isPositive();
    }

    /** A successor that holds the socket too goes on accepting from it once this process has stopped. */
    @Test
    void aSocketASuccessorHoldsTooIsLeftAsItWas() throws Exception {
        try (RunningService service = RunningService.start(Map.of())) {
            int port = service.httpPort();
            int successorsCopy = DescriptorCopies.duplicate(ListeningSockets.descriptorOf(port));
            try {
                service.http.sharedWithSuccessor(true);
                assertThat(service.stopInBackground().get(15, TimeUnit.SECONDS).complete()).isTrue();
                try (Socket socket = new Socket()) {
                    // the kernel completes it on the copy; a filter left on the socket would ignore it
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 2_500);
                }
            } finally {
                DescriptorCopies.close(successorsCopy);
            }
        }
    }

    private static void stopUnderFlood(Flood total) throws Exception {
        for (int i = 0; i < STOPS; i++) {
            try (RunningService service = RunningService.start(Map.of())) {
                Flood flood = new Flood();
                List<Thread> clients = new ArrayList<>();
                AtomicBoolean stopped = new AtomicBoolean();
                for (int c = 0; c < CLIENTS; c++) {
                    clients.add(Thread.ofPlatform().start(() -> flood.run(service.httpPort(), stopped)));
                }
                // Busy threads make the kernel defer loopback packets to ksoftirqd, which competes with
                // them for the CPU, as on a loaded host: a handshake then takes milliseconds, not microseconds.
                AtomicBoolean done = new AtomicBoolean();
                StopReport report;
                try {
                    for (int h = 0; h < HOGS; h++) {
                        Thread.ofPlatform().daemon().start(() -> spin(done));
                    }
                    Thread.sleep(300);
                    report = service.stopInBackground().get(15, TimeUnit.SECONDS);
                } finally {
                    done.set(true);
                }
                stopped.set(true);
                for (Thread client : clients) {
                    client.join();
                }

                assertThat(report.complete()).isTrue();
                assertThat(flood.answered.get()).as("answered before the stop; failures %s", flood.failures).isPositive();
                total.add(flood);
            }
        }
    }

    private static void spin(AtomicBoolean done) {
        while (!done.get()) {
            Thread.onSpinWait();
        }
    }

    /** Clients that each open a connection, send one request and read its answer, over and over. */
    private static final class Flood {

        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        final AtomicInteger turnedAway = new AtomicInteger();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

        void run(int port, AtomicBoolean stopped) {
            while (!stopped.get()) {
                try (Socket socket = new Socket()) {
                    try {
                        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) TURNED_AWAY_AFTER.toMillis());
                    } catch (ConnectException e) {
                        refused.incrementAndGet();
                        continue;
                    } catch (SocketTimeoutException e) {
                        turnedAway.incrementAndGet();
                        continue;
                    }
                    exchange(socket);
                } catch (IOException e) {
                    failures.add("after sending: " + e.getMessage());
                }
            }
        }

        private void exchange(Socket socket) throws IOException {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(REQUEST.getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            if (answer.startsWith("HTTP/1.1 200 ") || answer.startsWith("HTTP/1.1 503 ")) {
                answered.incrementAndGet();
            } else {
                failures.add(answer.isEmpty() ? "closed unanswered" : answer.lines().findFirst().orElseThrow());
            }
        }

        void add(Flood other) {
            answered.addAndGet(other.answered.get());
            refused.addAndGet(other.refused.get());
            turnedAway.addAndGet(other.turnedAway.get());
            failures.addAll(other.failures);
        }
    }
}
