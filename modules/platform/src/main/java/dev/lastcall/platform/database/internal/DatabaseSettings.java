package dev.lastcall.platform.database.internal;

import dev.lastcall.platform.config.Redaction;
import dev.lastcall.platform.config.Settings;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code db.*} keys, validated.
 *
 * @param url JDBC URL of PostgreSQL; empty for the embedded server under {@code stateDir}
 * @param stateDir {@code state.dir}: the embedded server keeps its data in {@code <stateDir>/postgres}
 * @param transactionPooling {@code db.transactionPooling}: {@code url} leads to a pooler in transaction
 *     mode (PgBouncer), where a server-side prepared statement may be gone by the next transaction
 */
public record DatabaseSettings(
        String url,
        String user,
        String password,
        int poolSize,
        Duration connectTimeout,
        Path stateDir,
        boolean transactionPooling) {

    /** HikariCP's floor for its timeouts; below it HikariCP silently uses its own default. */
    static final Duration SHORTEST_CONNECT_TIMEOUT = Duration.ofMillis(250);
    static final int LARGEST_POOL = 1_000;

    /** Straight to PostgreSQL, no pooler in between. */
    public DatabaseSettings(String url, String user, String password, int poolSize, Duration connectTimeout, Path stateDir) {
        this(url, user, password, poolSize, connectTimeout, stateDir, false);
    }

    public static DatabaseSettings from(Settings settings) {
        String url = settings.string("db.url").strip();
        if (!url.isEmpty() && !url.startsWith("jdbc:postgresql:")) {
            throw settings.invalid("db.url", "must be empty (embedded PostgreSQL) or start with jdbc:postgresql:");
        }
        Duration connectTimeout = settings.positiveDuration("db.connectTimeout");
        if (connectTimeout.compareTo(SHORTEST_CONNECT_TIMEOUT) < 0) {
            throw settings.invalid("db.connectTimeout", "must be at least " + SHORTEST_CONNECT_TIMEOUT.toMillis() + "ms");
        }
        boolean transactionPooling = settings.bool("db.transactionPooling");
        if (transactionPooling && url.isEmpty()) {
            throw settings.invalid("db.transactionPooling", "needs db.url: the embedded PostgreSQL is reached without a pooler");
        }
        return new DatabaseSettings(
                url,
                settings.string("db.user"),
                settings.string("db.password"),
                settings.intBetween("db.poolSize", 1, LARGEST_POOL),
                connectTimeout,
                settings.path("state.dir"),
                transactionPooling);
    }

    public boolean embedded() {
        return url.isEmpty();
    }

    /** The embedded server's directory: data, binaries, log. */
    Path embeddedHome() {
        return stateDir.resolve("postgres");
    }

    @Override
    public String toString() {
        return "DatabaseSettings[url=%s, user=%s, password=%s, poolSize=%d, connectTimeout=%s, stateDir=%s, transactionPooling=%s]"
                .formatted(Redaction.withoutPassword(url), user, password.isEmpty() ? "" : "***", poolSize,
                        connectTimeout, stateDir, transactionPooling);
    }
}
