package dev.lastcall.platform.systemd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The process a hot handover starts: the same command line, with this process's listening sockets
 * passed by systemd's protocol ({@code LISTEN_FDS=3}, {@code LISTEN_FDNAMES=http:admin:handover},
 * {@code LISTEN_PID} its own pid, set by a {@code sh} that then {@code exec}s it; so is a {@code
 * WATCHDOG_PID} systemd gave this process, since the successor pings the watchdog once it is the
 * main process) and one end of a Unix socket pair, the handover channel. On it the successor writes {@code ready} once it serves
 * ({@link Predecessor}); this process answers {@code go} once systemd's MAINPID names the
 * successor. Closing the channel says the rest: a successor that exits before it is ready closes it.
 */
public final class Successor {

    /** The line a ready successor writes. */
    static final String READY = "ready";
    /** The line the predecessor answers once MAINPID names the successor. */
    static final String GO = "go";
    /** Copies of the passed descriptors are made at or above this, clear of 0..5 where the child wants them. */
    private static final int HIGH_DESCRIPTORS = 10;
    private static final Duration REAP_WAIT = Duration.ofSeconds(5);
    private static final String EXEC_WITH_OWN_PIDS = "LISTEN_PID=$$; export LISTEN_PID; "
            + "if [ -n \"${WATCHDOG_PID-}\" ]; then WATCHDOG_PID=$$; export WATCHDOG_PID; fi; exec \"$@\"";

    /** What became of the successor's start. */
    public record Outcome(boolean ready, String failure) {}

    private final int pid;
    private final int channel;

    private Successor(int pid, int channel) {
        this.pid = pid;
        this.channel = channel;
    }

    /**
     * Starts {@code commandLine} (argv, the program first) with {@code environment} and the
     * listening sockets on {@code httpDescriptor} and {@code adminDescriptor} passed as fd 3 and 4.
     */
    public static Successor start(List<String> commandLine, Map<String, String> environment, int httpDescriptor,
            int adminDescriptor) throws IOException {
        int[] pair = Libc.socketPair();
        List<Integer> copies = new ArrayList<>();
        try {
            copies.add(Libc.duplicateAtOrAbove(httpDescriptor, HIGH_DESCRIPTORS));
            copies.add(Libc.duplicateAtOrAbove(adminDescriptor, HIGH_DESCRIPTORS));
            copies.add(Libc.duplicateAtOrAbove(pair[1], HIGH_DESCRIPTORS));
            List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", EXEC_WITH_OWN_PIDS, "lastcall-successor"));
            argv.addAll(commandLine);
            int pid = PosixSpawn.spawn(argv, environmentOf(environment),
                    copies.stream().mapToInt(Integer::intValue).toArray());
            return new Successor(pid, pair[0]);
        } catch (IOException | RuntimeException e) {
            Libc.close(pair[0]);
            throw e;
        } finally {
            Libc.close(pair[1]);
            for (int copy : copies) {
                Libc.close(copy);
            }
        }
    }

    private static List<String> environmentOf(Map<String, String> environment) {
        List<String> entries = new ArrayList<>();
        environment.forEach((name, value) -> {
            if (!name.startsWith("LISTEN_")) {
                entries.add(name + "=" + value);
            }
        });
        entries.add(SocketActivation.LISTEN_FDS + "=3");
        entries.add(SocketActivation.LISTEN_FDNAMES + "=" + String.join(":",
                SocketActivation.HTTP, SocketActivation.ADMIN, SocketActivation.HANDOVER));
        return entries;
    }

    public long pid() {
        return pid;
    }

    /** Waits up to {@code wait} for the successor's {@code ready}; a successor that failed is reaped. */
    public Outcome awaitReady(Duration wait) throws InterruptedException {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(this::readLine,
                command -> Thread.ofPlatform().daemon().name("handover-channel").start(command));
        try {
            String said = line.get(wait.toNanos(), TimeUnit.NANOSECONDS);
            if (said.equals(READY)) {
                return new Outcome(true, "");
            }
            return new Outcome(false, "the successor (pid %d) %s before it was ready".formatted(pid, ended()));
        } catch (TimeoutException e) {
            kill();
            return new Outcome(false, "the successor (pid %d) was not ready within %ds, so it was killed"
                    .formatted(pid, wait.toSeconds()));
        } catch (ExecutionException e) {
            kill();
            return new Outcome(false, "the handover channel failed: " + e.getCause().getMessage());
        }
    }

    /** Tells the successor that systemd's MAINPID names it now; the channel closes. */
    public void proceed() throws IOException {
        try {
            byte[] go = (GO + "\n").getBytes(StandardCharsets.US_ASCII);
            try (var arena = java.lang.foreign.Arena.ofConfined()) {
                Libc.writeFully(channel, arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, go));
            }
        } finally {
            Libc.close(channel);
        }
    }

    /** Ends a successor that will not take over (SIGKILL), and reaps it. */
    public void kill() throws InterruptedException {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        ended();
    }

    /** One line from the channel, or "" at its end. */
    private String readLine() {
        StringBuilder line = new StringBuilder();
        try {
            while (true) {
                byte[] bytes = Libc.read(channel, 1);
                if (bytes.length == 0 || bytes[0] == '\n') {
                    return line.toString();
                }
                line.append((char) bytes[0]);
            }
        } catch (Libc.Failure e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** How the successor ended, once it has: "exited with status 2". */
    private String ended() throws InterruptedException {
        long end = System.nanoTime() + REAP_WAIT.toNanos();
        try {
            while (System.nanoTime() < end) {
                int status = Libc.reapIfExited(pid);
                if (status >= 0) {
                    closeChannel();
                    return status > 128 ? "was ended by signal " + (status - 128) : "exited with status " + status;
                }
                Thread.sleep(10);
            }
        } catch (Libc.Failure e) {
            return "ended (" + e.getMessage() + ")";
        }
        return "closed the handover channel";
    }

    private void closeChannel() {
        try {
            Libc.close(channel);
        } catch (Libc.Failure alreadyClosed) {
            // nothing left to close
        }
    }
}
