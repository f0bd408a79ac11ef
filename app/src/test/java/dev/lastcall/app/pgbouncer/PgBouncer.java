package dev.lastcall.app.pgbouncer;

import dev.lastcall.app.BenchmarkDirectory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PgBouncer (Debian's {@code pgbouncer}) in transaction pooling mode in front of one
 * PostgreSQL, on a free loopback port, its ini file in a directory of its own. It hands server
 * connections out round-robin ({@code server_round_robin = 1}) rather than reusing the last one, so
 * that anything that leans on session state (a named prepared statement, a session advisory lock, a
 * {@code SET}) meets another server connection at its next transaction and fails, instead of
 * passing by luck.
 */
public final class PgBouncer implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/pgbouncer");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final Path directory;
    private final Path log;
    private final int port;

    private PgBouncer(Process process, Path directory, Path log, int port) {
        this.process = process;
        this.directory = directory;
        this.log = log;
        this.port = port;
    }

    public static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    /**
     * @param user the PostgreSQL user clients log in as (trusted: no password)
     * @param defaultPoolSize server connections per database and user
     */
    public static PgBouncer start(int postgresPort, String user, int defaultPoolSize)
            throws IOException, InterruptedException {
        // Its own directory straight under /tmp: when run as root, PgBouncer runs as nobody, who could
        // not reach into a test's private temporary directory.
        Path directory = Files.createTempDirectory("lastcall-pgbouncer");
        int port = freePort();
        Path users = directory.resolve("userlist.txt");
        Files.writeString(users, "\"%s\" \"\"%n".formatted(user));
        Path ini = directory.resolve("pgbouncer.ini");
        Files.writeString(ini, """
                [databases]
                * = host=127.0.0.1 port=%d
                [pgbouncer]
                listen_addr = 127.0.0.1
                listen_port = %d
                unix_socket_dir =
                auth_type = trust
                auth_file = %s
                pool_mode = transaction
                default_pool_size = %d
                max_client_conn = 500
                server_round_robin = 1
                """.formatted(postgresPort, port, users, defaultPoolSize));
        // PgBouncer refuses to run as root; as root it is told to become nobody, who must read these.
        for (Path path : List.of(directory, users, ini)) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--"));
        }
        List<String> command = new ArrayList<>(List.of(BINARY.toString()));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("-u", "nobody"));
        }
        command.add(ini.toString());
        Path log = directory.resolve("pgbouncer.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PgBouncer pgbouncer = new PgBouncer(process, directory, log, port);
        pgbouncer.awaitListening();
        return pgbouncer;
    }

    private void awaitListening() throws IOException, InterruptedException {
        long end = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException("pgbouncer exited (" + process.exitValue() + "):\n" + log());
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("pgbouncer not listening on " + port + " within " + START_TIMEOUT + ":\n" + log());
    }

    public int port() {
        return port;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:%d/%s".formatted(port, database);
    }

    public String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException, IOException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        new BenchmarkDirectory(directory).delete();
    }
}
