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
 * it is private to the service's processes. The asker creates the file empty before it signals
 * and deletes it once read; a plain {@code kill -HUP} asks nothing, so nothing is written and no
 * file is left behind per reload.
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

    /**
     * A SIGHUP that started no handover: its asker, if any, is told, unless the file already holds
     * an outcome (a handover that ended a moment ago, whose asker has not read it yet).
     */
    static void refused(long pid, String why) {
        try {
            if (Files.size(fileOf(pid)) == 0) {
                write(pid, "failed: " + why);
            }
        } catch (IOException nobodyAsked) {
            // no file: nobody asked
        }
    }

    /** Whether the line says the reload succeeded. */
    public static boolean isSuccess(String line) {
        return line.startsWith(OK);
    }

    /** Asks for the outcome of {@code pid}'s next reload (an empty file), forgetting an earlier one's. */
    public static void ask(long pid) throws IOException {
        Path file = fileOf(pid);
        Files.deleteIfExists(file);
        Files.createFile(file);
    }

    /** Takes the question back, when the signal could not be sent. */
    public static void withdraw(long pid) throws IOException {
        Files.deleteIfExists(fileOf(pid));
    }

    /**
     * Waits up to {@code wait} for the outcome of {@code pid}'s reload; the line, or empty. The
     * file goes either way: an outcome that comes later is not written.
     */
    public static Optional<String> await(long pid, Duration wait) throws IOException, InterruptedException {
        Path file = fileOf(pid);
        long end = System.nanoTime() + wait.toNanos();
        try {
            while (System.nanoTime() < end) {
                String line = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : "";
                if (!line.isEmpty()) {
                    return Optional.of(line);
                }
                if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
                    String last = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : "";
                    return Optional.of(last.isEmpty() ? "failed: process %d is gone and left no outcome".formatted(pid) : last);
                }
                Thread.sleep(POLL);
            }
            return Optional.empty();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void write(long pid, String line) {
        Path file = fileOf(pid);
        if (!Files.exists(file)) {
            return; // nobody asked (a plain kill -HUP)
        }
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
