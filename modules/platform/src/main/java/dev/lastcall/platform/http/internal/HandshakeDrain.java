package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.lifecycle.Deadline;
import java.io.IOException;

/**
 * Before a listener this process bound itself closes: makes the kernel turn away new connections
 * on its port and waits, at most until a deadline, for the handshakes it already answered to
 * complete, so that they are accepted and served instead of reset by the close.
 */
@FunctionalInterface
public interface HandshakeDrain {

    /** Whether every handshake under way completed by {@code deadline}. */
    boolean turnAwayNewAndAwaitUnderWay(int port, Deadline deadline) throws IOException, InterruptedException;

    /** Where the kernel cannot be asked: the listener closes as it is. */
    HandshakeDrain NONE = (port, deadline) -> true;
}
