package dev.lastcall.platform.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL 15 of the test's own, from Debian's binaries, that can be stopped, restarted
 * and started again on the same port ({@code pg_ctl}; as user postgres when the tests run as root).
 * Trust authentication on 127.0.0.1, fsync off: it is thrown away at {@link #close}.
 */
public final class RestartablePostgres implements AutoCloseable {

    public static final Path BIN = Path.of(System.getProperty("lastcall.postgresBin", "/usr/lib/postgresql/15/bin"));
    public static final String USER = "postgres";

    /** How {@code pg_ctl stop} ends the sessions: {@code fast} rolls them back, {@code immediate} crashes. */
    public enum Mode {
        FAST, IMMEDIATE;

        String flag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Path directory;
    private final Path data;
    private final int port;

    private RestartablePostgres(Path directory, int port) {
        this.directory = directory;
        this.data = directory.resolve("data");
        this.port = port;
    }

    public static boolean installed() {
        return Files.isExecutable(BIN.resolve("pg_ctl"));
    }

    /** initdb in a new temporary directory, then start. */
    public static RestartablePostgres start() throws IOException, InterruptedException {
        Path directory = Files.createTempDirectory("lastcall-pg-");
        RestartablePostgres postgres = new RestartablePostgres(directory, freePort());
        postgres.chownToPostgres();
        postgres.run(BIN.resolve("initdb").toString(), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync",
                "-D", postgres.data.toString());
        postgres.startServer();
        return postgres;
    }

    public int port() {
        return port;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:%d/%s".formatted(port, database);
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, "");
    }

    public void startServer() throws IOException, InterruptedException {
        run(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", directory.resolve("log").toString(),
                "-w", "-t", "30", "-o",
                "-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60".formatted(port, directory),
                "start");
    }

    public void stopServer(Mode mode) throws IOException, InterruptedException {
        run(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "30", "-m", mode.flag(), "stop");
    }

    public void restart(Mode mode) throws IOException, InterruptedException {
        stopServer(mode);
        startServer();
    }

    /** Ends every session of {@code applicationName} with {@code pg_terminate_backend}; how many it ended. */
    public int terminateBackends(String applicationName) throws SQLException {
        try (Connection connection = connect("postgres");
                var select = connection.prepareStatement(
                        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?")) {
            select.setString(1, applicationName);
            try (var row = select.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            stopServer(Mode.IMMEDIATE);
        } catch (IOException e) {
            // already stopped
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private void chownToPostgres() throws IOException, InterruptedException {
        if (asRoot()) {
            exec(List.of("chown", USER + ":" + USER, directory.toString()));
        }
    }

    private void run(String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asRoot()) {
            full.addAll(List.of("runuser", "-u", USER, "--"));
        }
        full.addAll(List.of(command));
        exec(full);
    }

    private void exec(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("%s failed: %s".formatted(String.join(" ", command), new String(output)));
        }
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
