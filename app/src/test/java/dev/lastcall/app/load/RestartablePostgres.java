package dev.lastcall.app.load;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;

/** A real PostgreSQL on a fixed port and data directory that can be stopped and started again, data kept. */
final class RestartablePostgres implements AutoCloseable {

    private final Path dataDirectory;
    private final int port;
    private EmbeddedPostgres server;

    private RestartablePostgres(Path dataDirectory, int port) throws IOException {
        this.dataDirectory = dataDirectory;
        this.port = port;
        this.server = start();
    }

    static RestartablePostgres start(Path dataDirectory) throws IOException {
        return new RestartablePostgres(dataDirectory, RestartHarness.freePort());
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** {@code pg_ctl stop -m fast}, then a start on the same data directory and port. */
    void restart() throws IOException {
        server.close();
        server = start();
    }

    /** Never a clean data directory: a clean one would also be deleted by {@link EmbeddedPostgres#close}. */
    private EmbeddedPostgres start() throws IOException {
        return EmbeddedPostgres.builder().setDataDirectory(dataDirectory).setCleanDataDirectory(false)
                .setPort(port).start();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
