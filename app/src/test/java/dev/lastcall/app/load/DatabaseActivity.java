package dev.lastcall.app.load;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * What PostgreSQL counted while a point was measured: commits in the benchmark's database ({@code
 * pg_stat_database.xact_commit}) and WAL syncs of the whole server ({@code pg_stat_wal.wal_sync},
 * PostgreSQL 14+). Set against the transfers acknowledged meanwhile, they say how many transfers
 * share a commit and a WAL flush. Everything counts: the services' background work and the
 * benchmark's own queries commit too.
 */
record DatabaseActivity(double seconds, long commits, long walSyncs) {

    static final DatabaseActivity NONE = new DatabaseActivity(0, 0, 0);

    /**
     * In PostgreSQL 14 a backend sends its counts to the statistics collector at most every 500 ms,
     * and a reader may be shown the collector's figures of 500 ms before. A pooled connection that
     * falls idle keeps what it has not sent yet until its next transaction, so the counts of a
     * point of a few seconds are approximate.
     */
    private static final Duration STATISTICS_DELAY = Duration.ofSeconds(1);

    /** The counters at one moment. */
    record Counters(long commits, long walSyncs) {

        static Counters read(Connection db) throws SQLException {
            try (Statement sql = db.createStatement();
                    ResultSet row = sql.executeQuery("SELECT (SELECT xact_commit FROM pg_stat_database "
                            + "WHERE datname = current_database()), (SELECT wal_sync FROM pg_stat_wal)")) {
                row.next();
                return new Counters(row.getLong(1), row.getLong(2));
            }
        }
    }

    /**
     * What was counted since {@code before}, over {@code seconds} of load that has just stopped;
     * waits {@link #STATISTICS_DELAY} first, for the counts sent meanwhile to be shown.
     */
    static DatabaseActivity since(Counters before, Connection db, double seconds) throws SQLException, InterruptedException {
        Thread.sleep(STATISTICS_DELAY);
        Counters after = Counters.read(db);
        return new DatabaseActivity(seconds, after.commits() - before.commits(), after.walSyncs() - before.walSyncs());
    }

    DatabaseActivity plus(DatabaseActivity other) {
        return new DatabaseActivity(seconds + other.seconds, commits + other.commits, walSyncs + other.walSyncs);
    }

    double commitsPerSecond() {
        return commits / seconds;
    }

    double walSyncsPerSecond() {
        return walSyncs / seconds;
    }

    /** Transfers per commit, for {@code tps} transfers a second over the same time. */
    double transfersPerCommit(double tps) {
        return tps / commitsPerSecond();
    }

    double transfersPerWalSync(double tps) {
        return tps / walSyncsPerSecond();
    }

    String line(double tps) {
        return "%5.0f commits/s, %5.0f WAL syncs/s; %5.2f transfers per commit, %5.2f per WAL sync".formatted(
                commitsPerSecond(), walSyncsPerSecond(), transfersPerCommit(tps), transfersPerWalSync(tps));
    }
}
