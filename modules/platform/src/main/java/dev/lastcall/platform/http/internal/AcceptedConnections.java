package dev.lastcall.platform.http.internal;

import java.nio.channels.SelectableChannel;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Knows which connections still owe their client an answer: those accepted but still before
 * their endpoint (not yet in {@link ServerConnector#getConnectedEndPoints()}), open ones that have
 * read no request yet, and ones with a request read but not answered. The drain waits for them
 * before closing connections, because closing one would reset a client whose request is already
 * on its way.
 */
final class AcceptedConnections implements SelectorManager.AcceptListener, Connection.Listener {

    private final AtomicLong opening = new AtomicLong();

    /** Registers with {@code connector}; call before it starts. */
    void watch(ServerConnector connector) {
        connector.addEventListener(this);
    }

    @Override
    public void onAccepting(SelectableChannel channel) {
        opening.incrementAndGet();
    }

    @Override
    public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
        opening.decrementAndGet();
    }

    @Override
    public void onOpened(Connection connection) {
        opening.decrementAndGet();
    }

    /** Whether a connection was accepted but has not yet sent a request. */
    boolean anyWithoutRequest(ServerConnector connector) {
        return opening.get() > 0 || anyOpen(connector, connection -> connection.getMessagesIn() == 0);
    }

    /** Whether a connection has a request that was read but not yet answered. */
    boolean anyUnanswered(ServerConnector connector) {
        return anyOpen(connector, connection -> connection.getMessagesIn() > connection.getMessagesOut());
    }

    private static boolean anyOpen(ServerConnector connector, Predicate<Connection> test) {
        return connector.getConnectedEndPoints().stream()
                .filter(EndPoint::isOpen)
                .map(EndPoint::getConnection)
                .anyMatch(connection -> connection != null && test.test(connection));
    }
}
