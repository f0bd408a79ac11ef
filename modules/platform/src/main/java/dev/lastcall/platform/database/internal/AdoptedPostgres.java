package dev.lastcall.platform.database.internal;

import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.ExitStatus;
import dev.lastcall.platform.lifecycle.Seconds;
import dev.lastcall.platform.lifecycle.StartFailure;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL a predecessor left running for this process after a hot handover,
 * found by its {@code postmaster.pid}. The predecessor holds {@code owner.lock} until it exits;
 * this process takes it then, in the background, so that no third process takes the directory.
 * Its stop is PostgreSQL's fast shutdown (SIGINT), as the embedded server's own.
 */
final class AdoptedPostgres {

    private static final Logger log = LoggerFactory.getLogger(AdoptedPostgres.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);
    private static final Duration STOP_POLL = Duration.ofMillis(5);
    /** postmaster.pid: pid, data directory, start time, port, ... */
    private static final int PORT_LINE = 3;

    private final ProcessHandle server;
    private final int port;
    private final Path data;
    private final Thread locker;
    private volatile @Nullable FileLock owner;
    private volatile boolean lockFailed;

    private AdoptedPostgres(ProcessHandle server, int port, Path data, Path lockFile) {
        this.server = server;
        this.port = port;
        this.data = data;
        this.locker = Thread.ofPlatform().daemon().name("database-owner-lock").start(() -> lock(lockFile));
    }

    /** Adopts the server running on {@code <home>/data}. */
    static AdoptedPostgres adopt(Path home) throws StartFailure {
        Path dir = home.toAbsolutePath().normalize();
        Path data = dir.resolve("data");
        Path pidFile = data.resolve("postmaster.pid");
        try {
            List<String> lines = Files.readAllLines(pidFile);
            long pid = Long.parseLong(lines.getFirst().strip());
            int port = Integer.parseInt(lines.get(PORT_LINE).strip());
            Optional<ProcessHandle> server = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
            if (server.isEmpty()) {
                throw new IOException("its postmaster.pid names process %d, which is not running".formatted(pid));
            }
            return new AdoptedPostgres(server.get(), port, data, dir.resolve("owner.lock"));
        } catch (IOException | RuntimeException e) {
            throw new StartFailure(ExitStatus.DATABASE_UNREACHABLE,
                    "no embedded PostgreSQL to adopt in %s: %s".formatted(data, Failures.oneLine(e)), e);
        }
    }

    long pid() {
        return server.pid();
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:%d/postgres".formatted(port);
    }

    Path dataDirectory() {
        return data;
    }

    /**
     * Waits up to {@code deadline} for the predecessor to exit, which it may not have yet when this
     * process is stopped right after it took over: the predecessor may still be draining requests
     * on the server, and its exit is what releases {@code owner.lock}. False when it is known to
     * run still.
     */
    boolean awaitPredecessor(Deadline deadline) {
        if (owner == null && !deadline.hasExpired()) {
            log.info("database: waiting up to {} for the predecessor, still draining, before stopping the embedded PostgreSQL",
                    Seconds.of(deadline.remaining()));
            try {
                locker.join(deadline.remaining());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return owner != null || lockFailed;
    }

    /**
     * Fast shutdown; returns once the server is gone or the wait ran out. Gone is also when its
     * {@code postmaster.pid} is, the last thing PostgreSQL removes: the server is no child of this
     * process, and one whose parent does not reap it stays a zombie that looks alive.
     */
    void stop() {
        boolean interrupted = Thread.interrupted(); // kept for after the stop, which waits
        try {
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(server.pid())).inheritIO().start();
            kill.waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
            long deadline = System.nanoTime() + STOP_WAIT.toNanos();
            while (server.isAlive() && Files.exists(data.resolve("postmaster.pid"))) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("still running after " + STOP_WAIT.toSeconds() + "s");
                }
                Thread.sleep(STOP_POLL.toMillis());
            }
        } catch (Exception e) {
            log.warn("database: the adopted PostgreSQL (pid {}) did not stop: {}", server.pid(), e.toString());
        } finally {
            locker.interrupt();
            FileLock lock = owner;
            if (lock != null) {
                try {
                    lock.channel().close();
                } catch (IOException e) {
                    log.debug("database: closing the owner lock failed: {}", e.toString());
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Blocks until the predecessor, which holds the lock until it exits, is gone. */
    private void lock(Path lockFile) {
        try {
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            owner = channel.lock();
            log.info("database: {} is this process's now (the predecessor has exited)", lockFile);
        } catch (ClosedByInterruptException stopped) {
            log.debug("database: the stop ended the wait for {}", lockFile);
        } catch (IOException | RuntimeException e) {
            lockFailed = true;
            log.warn("database: cannot take {} ({}), so a stop cannot tell when the predecessor has exited",
                    lockFile, e.toString());
        }
    }
}
