package dev.lastcall.platform.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lastcall.platform.lifecycle.Deadline;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** The kernel's side of a listener's quiet close, on a real loopback socket. */
class HandshakeGateTest {

    private static final Duration LONGER_THAN_A_HANDSHAKE = Duration.ofMillis(300);

    @Test
    void aNewConnectionIsIgnoredWhileOneTheKernelCompletedBeforeIsAcceptedAndCarriesItsRequest() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            try (Socket before = connect(port, Duration.ofSeconds(2))) {
                HandshakeGate.turnAwayNewHandshakes(port);
                before.getOutputStream().write("GET".getBytes(StandardCharsets.US_ASCII));

                assertThatThrownBy(() -> connect(port, LONGER_THAN_A_HANDSHAKE).close())
                        .as("a connection request after the filter gets no answer")
                        .isInstanceOf(SocketTimeoutException.class);
                assertThat(HandshakeGate.handshakesUnderWay(port)).isFalse();
                try (Socket accepted = listener.accept().socket()) {
                    accepted.setSoTimeout(2000);
                    byte[] request = accepted.getInputStream().readNBytes(3);
                    assertThat(new String(request, StandardCharsets.US_ASCII)).isEqualTo("GET");
                }
            }
            listener.close();
            assertThatThrownBy(() -> connect(port, Duration.ofSeconds(2)).close()).isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void aHandshakeUnderWayWhenNewOnesAreTurnedAwayCompletes() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            listener.configureBlocking(false);
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            int client = halfWayHandshake(port);
            try {
                HandshakeGate.turnAwayNewHandshakes(port);
                // Now it hears the listener's next answer (the kernel repeats it after a second) and completes.
                NativeSockets.removeFilter(client);

                SocketChannel accepted = await().atMost(Duration.ofSeconds(20)).until(listener::accept, Objects::nonNull);
                accepted.close();
                assertThat(HandshakeGate.handshakesUnderWay(port)).isFalse();
            } finally {
                NativeSockets.close(client);
            }
        }
    }

    @Test
    void aHandshakeThatDoesNotCompleteEndsTheWaitAtItsDeadline() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            int client = halfWayHandshake(port);
            try {
                assertThat(HandshakeGate.turnAwayNewAndAwaitUnderWay(port, Deadline.after(LONGER_THAN_A_HANDSHAKE)))
                        .isFalse();
            } finally {
                NativeSockets.close(client);
            }
        }
    }

    @Test
    void theWaitEndsAtOnceWithNoHandshakeUnderWay() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            long started = System.nanoTime();

            assertThat(HandshakeGate.turnAwayNewAndAwaitUnderWay(port, Deadline.after(Duration.ofSeconds(10)))).isTrue();

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        }
    }

    /** A client that ignores the listener's answer, so its handshake stays half-way; its descriptor. */
    private static int halfWayHandshake(int port) {
        int client = NativeSockets.socket(NativeSockets.AF_INET, NativeSockets.SOCK_STREAM | NativeSockets.SOCK_NONBLOCK);
        NativeSockets.ignoreEverything(client);
        NativeSockets.startConnecting(client, port);
        await().atMost(Duration.ofSeconds(5)).until(() -> HandshakeGate.handshakesUnderWay(port));
        return client;
    }

    @Test
    void aPortWithoutAListenerHereIsAnError() {
        assertThatThrownBy(() -> HandshakeGate.turnAwayNewHandshakes(1))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("port 1");
    }

    private static Socket connect(int port, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }
}
