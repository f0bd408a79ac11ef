package dev.lastcall.platform.database.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.lastcall.platform.database.DatabaseUnavailable;
import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.Seconds;
import dev.lastcall.platform.testing.RestartablePostgres;
import dev.lastcall.platform.testing.RestartablePostgres.Mode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database going away under the service: a real PostgreSQL stopped and started again with
 * {@code pg_ctl}, its backends terminated, one killed in the middle of its COMMIT. The pool's
 * connect timeout is long (30 s) on purpose: a refusal that comes well before it did not wait for it.
 * The figures it prints (time to refuse, to recover, to stop) are the README's.
 */
class DatabaseOutageIT {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** Far below {@link #CONNECT_TIMEOUT}: what "did not wait for the pool's timeout" means here. */
    private static final Duration WELL_BEFORE_THE_TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path stateDir;

    private RestartablePostgres postgres;
    private PooledTransactions transactions;
    private Database database;
    private LogCapture logs;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeEach
    void start() throws Exception {
        assumeThat(RestartablePostgres.installed()).as("PostgreSQL binaries in " + RestartablePostgres.BIN).isTrue();
        postgres = RestartablePostgres.start();
        transactions = new PooledTransactions();
        database = new Database(new DatabaseSettings(postgres.jdbcUrl("postgres"), RestartablePostgres.USER, "", 4,
                CONNECT_TIMEOUT, stateDir), transactions, "classpath:dev/lastcall/platform/database/migrations/none");
        database.start();
        logs = new LogCapture();
    }

    @AfterEach
    void stop() throws Exception {
        threads.shutdownNow();
        if (logs != null) {
            logs.close();
        }
        if (database != null) {
            database.stop(Deadline.after(Duration.ofSeconds(5)));
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void refusesWorkAtOnceWhileTheDatabaseIsDownAndRecoversOnItsOwn() throws Exception {
        assertThat(selectOne()).isEqualTo(1);
        DatabaseCheck health = new DatabaseCheck(transactions::pool, transactions.availability(), Duration.ZERO,
                Duration.ofSeconds(5));

        postgres.stopServer(Mode.FAST);
        long first = System.nanoTime();
        assertThatThrownBy(this::selectOne).isInstanceOf(DatabaseUnavailable.class);
        Duration toFirstRefusal = Duration.ofNanos(System.nanoTime() - first);
        assertThat(toFirstRefusal).as("the first refusal did not wait for the pool's timeout").isLessThan(WELL_BEFORE_THE_TIMEOUT);
        await().atMost(WELL_BEFORE_THE_TIMEOUT).until(() -> !transactions.availability().available());

        List<Long> refusals = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long begin = System.nanoTime();
            assertThatThrownBy(this::selectOne).isInstanceOfSatisfying(DatabaseUnavailable.class,
                    refused -> assertThat(refused.code()).isEqualTo(DatabaseUnavailable.DATABASE_UNAVAILABLE));
            refusals.add(System.nanoTime() - begin);
        }
        DatabaseCheck.Result down = health.check();
        assertThat(down.reachable()).isFalse();
        assertThat(down.outage()).as(down.problem()).isTrue();

        Thread.sleep(DatabaseAvailability.PROBE_INTERVAL.multipliedBy(4).toMillis());
        postgres.startServer();
        long accepting = System.nanoTime();
        assertThat(transactions.availability().awaitAvailable(WELL_BEFORE_THE_TIMEOUT)).isTrue();
        Duration toRecover = Duration.ofNanos(System.nanoTime() - accepting);
        assertThat(selectOne()).isEqualTo(1);
        assertThat(health.check().reachable()).isTrue();

        assertThat(logs.messages().stream().filter(m -> m.startsWith("database: unreachable"))).hasSize(1);
        assertThat(logs.messages().stream().filter(m -> m.startsWith("database: reachable again"))).hasSize(1);
        assertThat(logs.messages().stream().filter(m -> m.startsWith("transactions: database unavailable"))).isEmpty();
        System.out.printf("outage figures: first refusal after %s, then median %s per refusal; available %s after PostgreSQL accepted connections%n",
                Seconds.of(toFirstRefusal), Seconds.of(Duration.ofNanos(refusals.stream().sorted().toList().get(refusals.size() / 2))),
                Seconds.of(toRecover));
    }

    @Test
    void wakesWorkWaitingForAConnectionWhenTheDatabaseGoesDown() throws Exception {
        List<Future<Integer>> holders = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            holders.add(threads.submit(() -> transactions.execute(connection -> {
                try (Statement sleep = connection.createStatement()) {
                    sleep.execute("SELECT pg_sleep(60)");
                }
                return 1;
            })));
        }
        await().atMost(WELL_BEFORE_THE_TIMEOUT).until(() -> activeQueries("SELECT pg_sleep(60)") == 4);
        Future<Integer> waiting = threads.submit(this::selectOne);
        await().atMost(WELL_BEFORE_THE_TIMEOUT).until(() -> transactions.openTransactions() == 5);
        Thread.sleep(200);
        assertThat(waiting).as("waiting for a connection").isNotDone();

        long begin = System.nanoTime();
        postgres.stopServer(Mode.FAST);
        assertThat(waiting).failsWithin(WELL_BEFORE_THE_TIMEOUT).withThrowableThat().havingCause()
                .isInstanceOf(DatabaseUnavailable.class);
        System.out.printf("outage figures: a unit waiting for a connection refused %s after pg_ctl stop began%n",
                Seconds.of(Duration.ofNanos(System.nanoTime() - begin)));
        for (Future<Integer> holder : holders) {
            assertThat(holder).failsWithin(WELL_BEFORE_THE_TIMEOUT).withThrowableThat().havingCause()
                    .isInstanceOf(DatabaseUnavailable.class);
        }
    }

    @Test
    void stopsAtOnceDuringAnOutage() throws Exception {
        assertThat(selectOne()).isEqualTo(1);
        postgres.stopServer(Mode.IMMEDIATE);
        assertThatThrownBy(this::selectOne).isInstanceOf(DatabaseUnavailable.class);
        await().atMost(WELL_BEFORE_THE_TIMEOUT).until(() -> !transactions.availability().available());
        // Long enough for the pool to have tried and failed again.
        Thread.sleep(1_000);

        long begin = System.nanoTime();
        Database stopping = database;
        database = null;
        stopping.stop(Deadline.after(CONNECT_TIMEOUT));
        Duration stop = Duration.ofNanos(System.nanoTime() - begin);
        assertThat(stop).as("the stop waited on no connect timeout").isLessThan(WELL_BEFORE_THE_TIMEOUT);
        System.out.printf("outage figures: stopped during the outage in %s%n", Seconds.of(stop));
    }

    @Test
    void aConnectionTerminatedBeforeItsCommitIsReplacedOnce() throws Exception {
        assertThat(selectOne()).isEqualTo(1);
        AtomicInteger attempts = new AtomicInteger();
        Future<Integer> work = threads.submit(() -> transactions.execute(connection -> {
            attempts.incrementAndGet();
            try (Statement sleep = connection.createStatement()) {
                sleep.execute("SELECT pg_sleep(1)");
            }
            return attempts.get();
        }));
        await().atMost(WELL_BEFORE_THE_TIMEOUT).until(() -> activeQueries("SELECT pg_sleep(1)") == 1);
        assertThat(postgres.terminateBackends("lastcall")).isPositive();

        assertThat(work.get(20, TimeUnit.SECONDS)).as("attempts").isEqualTo(2);
        assertThat(transactions.availability().available()).isTrue();
    }

    @Test
    void aConnectionTerminatedDuringItsCommitIsReportedAsAnUnknownOutcome() throws Exception {
        try (Connection connection = postgres.connect("postgres"); Statement sql = connection.createStatement()) {
            sql.execute("CREATE TABLE slow_commit (id bigint PRIMARY KEY)");
            sql.execute("CREATE TABLE slow_commit_switch (sleep boolean NOT NULL)");
            sql.execute("INSERT INTO slow_commit_switch VALUES (true)");
            sql.execute("""
                    CREATE FUNCTION sleep_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF (SELECT sleep FROM slow_commit_switch) THEN PERFORM pg_sleep(30); END IF;
                        RETURN NULL;
                    END $$""");
            sql.execute("""
                    CREATE CONSTRAINT TRIGGER sleep_at_commit AFTER INSERT ON slow_commit
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION sleep_at_commit()""");
        }
        Future<Integer> insert = threads.submit(() -> transactions.execute(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("INSERT INTO slow_commit VALUES (1)")) {
                return statement.executeUpdate();
            }
        }));
        await().atMost(WELL_BEFORE_THE_TIMEOUT).until(() -> activeQueries("COMMIT") == 1);
        try (Connection connection = postgres.connect("postgres"); Statement sql = connection.createStatement()) {
            // A retry, were there one, would now commit at once and claim a success.
            sql.execute("UPDATE slow_commit_switch SET sleep = false");
        }
        assertThat(postgres.terminateBackends("lastcall")).isPositive();

        assertThat(insert).failsWithin(Duration.ofSeconds(20)).withThrowableThat().havingCause()
                .isInstanceOfSatisfying(DatabaseUnavailable.class,
                        unknown -> assertThat(unknown.code()).isEqualTo(DatabaseUnavailable.COMMIT_OUTCOME_UNKNOWN));
        try (Connection connection = postgres.connect("postgres"); Statement sql = connection.createStatement();
                ResultSet rows = sql.executeQuery("SELECT count(*) FROM slow_commit")) {
            rows.next();
            assertThat(rows.getInt(1)).as("this commit was cut before it happened, and was not tried again").isZero();
        }
    }

    private int selectOne() {
        return transactions.execute(connection -> {
            try (Statement select = connection.createStatement(); ResultSet row = select.executeQuery("SELECT 1")) {
                row.next();
                return row.getInt(1);
            }
        });
    }

    private int activeQueries(String query) throws Exception {
        try (Connection connection = postgres.connect("postgres");
                PreparedStatement select = connection.prepareStatement(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lastcall' AND state = 'active' AND query = ?")) {
            select.setString(1, query);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }
}
