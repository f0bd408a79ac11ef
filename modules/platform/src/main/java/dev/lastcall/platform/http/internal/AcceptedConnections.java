package dev.lastcall.platform.http.internal;

import java.nio.channels.SelectableChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.IdleTimeout;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Knows which connections may still owe their client an answer: those accepted but still before
 * their endpoint (not yet in {@link ServerConnector#getConnectedEndPoints()}), ones with a request
 * read but not answered, and ones that went quiet only just now. The drain waits for them before
 * closing connections, because closing one would reset a client whose request is already on its way.
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

    /**
     * Whether closing the connections now could leave a client without its answer: one is still
     * being accepted or has not been read from yet, one has a request read but not answered, or one has been quiet for less than
     * {@code quiet}, so its client may be sending its next request right now. Connections that sent
     * their last response ({@code Connection: close}, output shut) only wait for their client to close.
     */
    boolean anyMayOweAnswer(ServerConnector connector, Duration quiet) {
        return opening.get() > 0 || openEndPoints(connector).anyMatch(endPoint -> mayOweAnswer(endPoint, quiet));
    }

    /**
     * Closes, one by one, the connections that owe no answer, each checked again just before it
     * closes: a client may have sent a request on a quiet one since {@link #anyMayOweAnswer} said
     * none did, and that connection stays open to answer it.
     */
    void closeThoseOwingNothing(ServerConnector connector, Duration quiet) {
        openEndPoints(connector).filter(endPoint -> !mayOweAnswer(endPoint, quiet)).forEach(EndPoint::close);
    }

    private static boolean mayOweAnswer(EndPoint endPoint, Duration quiet) {
        Connection connection = endPoint.getConnection();
        // Nothing read yet: its client connected to send a request, which may be waiting unread
        // in the socket while a loaded selector has not got to it; idleness proves nothing here.
        return connection == null
                || connection.getBytesIn() == 0
                || connection.getMessagesIn() > connection.getMessagesOut()
                || (!endPoint.isOutputShutdown() && quietFor(endPoint) < quiet.toMillis());
    }

    /** Milliseconds since the connection last read or wrote anything. */
    private static long quietFor(EndPoint endPoint) {
        return endPoint instanceof IdleTimeout idle ? idle.getIdleFor() : 0;
    }

    private static Stream<EndPoint> openEndPoints(ServerConnector connector) {
        return connector.getConnectedEndPoints().stream().filter(EndPoint::isOpen);
    }
}
