package dev.lastcall.platform.systemd;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process that started this one by a hot handover, seen from here: the handover channel
 * ({@link Successor}) it passed as {@code handover} in {@code LISTEN_FDNAMES}.
 */
public final class Predecessor {

    private static final Logger log = LoggerFactory.getLogger(Predecessor.class);

    private final int channel;

    private Predecessor(int channel) {
        this.channel = channel;
    }

    /** The predecessor that passed a handover channel, or empty for an ordinary start. */
    public static Optional<Predecessor> fromEnvironment(Map<String, String> environment) {
        return SocketActivation.handoverDescriptor(environment).map(Predecessor::new);
    }

    /**
     * Says this process is ready and waits for the predecessor's word that systemd's MAINPID names
     * this process now. Returns false when the predecessor went away without that word.
     */
    public boolean readyAndAwaitTakeover() {
        try (Arena arena = Arena.ofConfined()) {
            byte[] ready = (Successor.READY + "\n").getBytes(StandardCharsets.US_ASCII);
            Libc.writeFully(channel, arena.allocateFrom(ValueLayout.JAVA_BYTE, ready));
            StringBuilder answer = new StringBuilder();
            for (byte[] next = Libc.read(channel, 1); next.length > 0 && next[0] != '\n'; next = Libc.read(channel, 1)) {
                answer.append((char) next[0]);
            }
            return answer.toString().equals(Successor.GO);
        } catch (Libc.Failure e) {
            log.warn("handover: the channel to the predecessor failed: {}", e.getMessage());
            return false;
        } finally {
            try {
                Libc.close(channel);
            } catch (Libc.Failure e) {
                log.debug("handover: closing the channel failed: {}", e.getMessage());
            }
        }
    }
}
