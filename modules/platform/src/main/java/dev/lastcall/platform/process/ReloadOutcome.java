package dev.lastcall.platform.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;

/**
 * How a reload (SIGHUP) of process {@code pid} ended, for whoever asked for it ({@code lastcall.jar
 * reload PID}, which systemd runs as {@code ExecReload=}): one line in {@code
 * <java.io.tmpdir>/lastcall-<pid>.reload}, {@code ok <successor pid>} or {@code failed: <why>}.
 * A file, because the signal that asks carries no way back; under systemd's {@code PrivateTmp=}
 * it is private to the service's processes.
 */
public final class ReloadOutcome {

    private static final String OK = "ok ";
    private static final Duration POLL = Duration.ofMillis(50);

    private ReloadOutcome() {}

    public static Path fileOf(long pid) {
        return Path.of(System.getProperty("java.io.tmpdir"), "lastcall-%d.reload".formatted(pid));
    }

    static void succeeded(long pid, long successor) {
        write(pid, OK + successor);
    }

    static void failed(long pid, String why) {
        write(pid, "failed: " + why);
    }

    /** Whether the line says the reload succeeded. */
    public static boolean isSuccess(String line) {
        return line.startsWith(OK);
    }

    /** Forgets an earlier reload's outcome, before asking for a new one. */
    public static void clear(long pid) throws IOException {
        Files.deleteIfExists(fileOf(pid));
    }

    /** Waits up to {@code wait} for the outcome of {@code pid}'s reload; the line, or empty. */
    public static Optional<String> await(long pid, Duration wait) throws IOException, InterruptedException {
        Path file = fileOf(pid);
        long end = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < end) {
            if (Files.exists(file)) {
                String line = Files.readString(file, StandardCharsets.UTF_8).strip();
                Files.deleteIfExists(file);
                return Optional.of(line);
            }
            if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty() && !Files.exists(file)) {
                return Optional.of("failed: process %d is gone and left no outcome".formatted(pid));
            }
            Thread.sleep(POLL);
        }
        return Optional.empty();
    }

    private static void write(long pid, String line) {
        Path file = fileOf(pid);
        try {
            Path partial = Files.createTempFile(file.getParent(), "lastcall-", ".partial");
            Files.writeString(partial, line + "\n", StandardCharsets.UTF_8);
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(ReloadOutcome.class)
                    .warn("reload: cannot write the outcome to {}: {}", file, e.toString());
        }
    }
}
