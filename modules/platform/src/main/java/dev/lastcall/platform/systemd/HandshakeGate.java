package dev.lastcall.platform.systemd;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.lastcall.platform.lifecycle.Deadline;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Lets a listening TCP socket that only this process holds close without resetting a client. The
 * kernel completes handshakes on its own, so closing the socket resets every connection it
 * completed since the last {@code accept()}, and every one half-way through, after its client (a
 * proxy) may have sent a request that it must not send elsewhere. So first {@link
 * #turnAwayNewHandshakes} makes the kernel ignore new connection requests (a client tries again a
 * second later and, the socket closed by then, is refused before it sends anything), then the
 * caller waits while {@link #handshakesUnderWay} and accepts what completed, and then closes.
 * Not for a socket systemd or another process holds too: the filter would outlive this process.
 */
public final class HandshakeGate {

    /** TCP's state number for a handshake the listener answered and its client has not completed. */
    private static final String SYN_RECEIVED = "03";
    private static final List<Path> CONNECTION_TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    private static final Duration HANDSHAKE_POLL = Duration.ofMillis(5);
    /**
     * A handshake with a SYN cookie (the kernel sends those when its queue of half-open ones is
     * full) has no row in the table until its last ACK arrives: an ACK on its way as the filter
     * went on gets this long to arrive before the wait may end.
     */
    private static final Duration ACKS_IN_FLIGHT = Duration.ofMillis(20);
    private static final int TCP_FLAGS_OFFSET = 13;
    private static final int SYN = 0x02;
    /** A classic BPF instruction: {@code u16 code, u8 jt, u8 jf, u32 k}. */
    private static final int INSTRUCTION_BYTES = 8;
    /** {@code struct sock_fprog}: {@code u16 len}, padding, then the instructions' address. */
    private static final int PROGRAM_BYTES = 16;

    private HandshakeGate() {}

    public static boolean available() {
        return Libc.isLinux();
    }

    /**
     * Attaches a socket filter to this process's listener on {@code port} that drops packets with
     * the SYN flag: new connection requests. A handshake's last ACK passes, so those already
     * answered complete.
     */
    public static void turnAwayNewHandshakes(int port) throws IOException {
        int fd = ListeningSockets.descriptorOf(port);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment instructions = arena.allocate((long) INSTRUCTION_BYTES * 4, 8);
            // A socket filter sees a TCP segment from its header on.
            instruction(instructions, 0, 0x30, 0, 0, TCP_FLAGS_OFFSET); // ldb [13]
            instruction(instructions, 1, 0x45, 0, 1, SYN);              // jset #SYN, next, skip one
            instruction(instructions, 2, 0x06, 0, 0, 0);                // ret #0: drop
            instruction(instructions, 3, 0x06, 0, 0, -1);               // ret #-1: keep all of it
            MemorySegment program = arena.allocate(PROGRAM_BYTES, 8);
            program.set(JAVA_SHORT, 0, (short) 4);
            program.set(ADDRESS, 8, instructions);
            Libc.setSocketOption(fd, Libc.SO_ATTACH_FILTER, program);
        }
    }

    /**
     * {@link #turnAwayNewHandshakes}, then waits while {@link #handshakesUnderWay}, at most until
     * {@code deadline}; whether none was left.
     */
    public static boolean turnAwayNewAndAwaitUnderWay(int port, Deadline deadline) throws IOException, InterruptedException {
        turnAwayNewHandshakes(port);
        Thread.sleep(ACKS_IN_FLIGHT);
        while (handshakesUnderWay(port)) {
            if (deadline.hasExpired()) {
                return false;
            }
            Thread.sleep(HANDSHAKE_POLL);
        }
        return true;
    }

    /** Whether the kernel has a handshake on {@code port} that it answered and that is not complete yet. */
    public static boolean handshakesUnderWay(int port) throws IOException {
        String localPort = ":%04X".formatted(port);
        for (Path table : CONNECTION_TABLES) {
            if (!Files.exists(table)) {
                continue;
            }
            for (String line : Files.readAllLines(table)) {
                String[] fields = line.strip().split("\\s+");
                if (fields.length > 3 && fields[3].equals(SYN_RECEIVED)
                        && fields[1].toUpperCase(Locale.ROOT).endsWith(localPort)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void instruction(MemorySegment program, int index, int code, int jumpIfTrue, int jumpIfFalse, int k) {
        long at = (long) index * INSTRUCTION_BYTES;
        program.set(JAVA_SHORT, at, (short) code);
        program.set(JAVA_BYTE, at + 2, (byte) jumpIfTrue);
        program.set(JAVA_BYTE, at + 3, (byte) jumpIfFalse);
        program.set(JAVA_INT, at + 4, k);
    }
}
