package dev.lastcall.platform.database.internal;

import dev.lastcall.platform.database.DatabaseException;
import dev.lastcall.platform.database.DatabaseUnavailable;
import dev.lastcall.platform.database.Transactions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lastcall.platform.http.ProblemException;
import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.StopResult;
import dev.lastcall.platform.lifecycle.ExitStatus;
import dev.lastcall.platform.lifecycle.StartFailure;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transactions and the Database's stop against one real PostgreSQL for the class. */
class TransactionsIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TEST_MIGRATIONS = "classpath:dev/lastcall/platform/database/migrations/";
    private static final AtomicInteger tables = new AtomicInteger();

    private static EmbeddedPostgres postgres;

    @TempDir
    static Path stateDir;

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Database> running = new ArrayList<>();
    private LogCapture logs;
    private String table;

    @BeforeAll
    static void startPostgres() throws IOException {
        postgres = EmbeddedPostgres.builder().setRegisterShutdownHook(false).start();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
    }

    private Duration stopTimeout = WAIT;
    private volatile StopResult stopResult = StopResult.complete("not stopped");

    @BeforeEach
    void createTable() throws SQLException {
        // Outside the public schema, which belongs to Flyway and the shipped migrations.
        table = "scratch.notes_" + tables.incrementAndGet();
        sql("CREATE SCHEMA IF NOT EXISTS scratch");
        sql("CREATE TABLE " + table + " (id bigint PRIMARY KEY, note text NOT NULL)");
        logs = new LogCapture();
    }

    @AfterEach
    void stopWhatRuns() throws Exception {
        for (Database database : running) {
            database.stop(Deadline.after(WAIT));
        }
        threads.shutdownNow();
        logs.close();
    }

    @Test
    void appliesMigrationsAtStartAndOnlyOnce() throws Exception {
        sql("CREATE DATABASE migrations");
        Database first = start(new PooledTransactions(), settings("migrations", Duration.ofSeconds(5)), TEST_MIGRATIONS + "good");
        stop(first);
        Database second = start(new PooledTransactions(), settings("migrations", Duration.ofSeconds(5)), TEST_MIGRATIONS + "good");

        int applied = logs.indexOf("database: schema at version 1, 1 migrations applied");
        assertThat(applied).isNotNegative();
        assertThat(logs.indexOf("database: schema at version 1, 0 migrations applied")).isGreaterThan(applied);
        try (Connection connection = second.dataSource().getConnection()) {
            assertThat(count(connection, "SELECT count(*) FROM flyway_schema_history WHERE success")).isEqualTo(1);
            assertThat(count(connection, "SELECT count(*) FROM probe")).isZero();
            connection.rollback();
        }
    }

    @Test
    void appliesEveryShippedMigration() throws Exception {
        Database database = start(new PooledTransactions(), settings("postgres", Duration.ofSeconds(5)));

        var info = Flyway.configure().dataSource(database.dataSource()).load().info();
        assertThat(info.pending()).isEmpty();
        assertThat(info.applied()).hasSameSizeAs(info.all());
    }

    @Test
    void failedMigrationFailsTheStartAndClosesThePool() throws Exception {
        sql("CREATE DATABASE broken");
        PooledTransactions transactions = new PooledTransactions();
        Database database = new Database(settings("broken", Duration.ofSeconds(5)), transactions, TEST_MIGRATIONS + "broken");

        assertThatThrownBy(database::start)
                .isInstanceOfSatisfying(StartFailure.class, failure -> {
                    assertThat(failure.status()).isEqualTo(ExitStatus.START_FAILED);
                    assertThat(failure.getMessage()).startsWith("database migration failed");
                });
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM pg_stat_activity WHERE datname = 'broken'") == 0);
        assertThatThrownBy(() -> transactions.execute(c -> 1)).isInstanceOf(DatabaseUnavailable.class);
    }

    @Test
    void commitsAUnitOfWorkAndCountsItWhileItRuns() throws Exception {
        PooledTransactions transactions = new PooledTransactions();
        start(transactions, settings("postgres", Duration.ofSeconds(5)));

        int open = transactions.execute(connection -> {
            assertThat(connection.getAutoCommit()).isFalse();
            assertThat(connection.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
            insert(connection, 1, "committed");
            return transactions.openTransactions();
        });

        assertThat(open).isEqualTo(1);
        assertThat(transactions.openTransactions()).isZero();
        assertThat(notes()).containsExactly("committed");
    }

    @Test
    void rollsBackWhenTheWorkThrows() throws Exception {
        PooledTransactions transactions = new PooledTransactions();
        start(transactions, settings("postgres", Duration.ofSeconds(5)));
        ProblemException refusal = new ProblemException(409, "insufficient_funds", "Insufficient funds", null);

        assertThatThrownBy(() -> transactions.execute(connection -> {
            insert(connection, 1, "rolled back");
            throw refusal;
        })).isSameAs(refusal);
        assertThat(notes()).isEmpty();
        assertThat(transactions.openTransactions()).isZero();
    }

    @Test
    void anInterruptedUnitOfWorkRollsBackThoughItsStatementsRanToTheEnd() throws Exception {
        PooledTransactions transactions = new PooledTransactions();
        start(transactions, settings("postgres", Duration.ofSeconds(5)));

        // a platform thread, as the scheduler's jobs run on: its socket reads do not stop for an interrupt
        FutureTask<Throwable> job = new FutureTask<>(() -> {
            try {
                transactions.execute(connection -> {
                    insert(connection, 1, "interrupted");
                    Thread.currentThread().interrupt(); // as the scheduler does to a job at the stop's deadline
                    return insert(connection, 2, "interrupted too");
                });
                return null;
            } catch (DatabaseUnavailable expected) {
                assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept for the job").isTrue();
                return expected;
            }
        });
        Thread.ofPlatform().name("interrupted-job").start(job);

        assertThat(job.get(20, TimeUnit.SECONDS)).isInstanceOf(DatabaseUnavailable.class)
                .hasMessageContaining("rolled back");
        assertThat(notes()).isEmpty();
        assertThat(transactions.openTransactions()).isZero();
    }

    @Test
    void reportsSqlErrorsWithoutTheirSql() throws Exception {
        PooledTransactions transactions = new PooledTransactions();
        start(transactions, settings("postgres", Duration.ofSeconds(5)));

        assertThatThrownBy(() -> transactions.execute(connection -> count(connection, "SELECT count(*) FROM no_such_table")))
                .isInstanceOf(DatabaseException.class)
                .hasMessage("database error (SQLState 42P01)")
                .cause().isInstanceOf(SQLException.class).hasMessageContaining("no_such_table");
    }

    @Test
    void retriesADeadlockUntilBothTransactionsCommit() throws Exception {
        PooledTransactions transactions = new PooledTransactions();
        start(transactions, settings("postgres", Duration.ofSeconds(5)));
        sql("INSERT INTO " + table + " VALUES (1, ''), (2, '')");
        CyclicBarrier bothHoldTheirFirstRow = new CyclicBarrier(2);
        AtomicInteger attempts = new AtomicInteger();

        Future<?> a = threads.submit(() -> appendInOrder(transactions, 1, 2, "a", bothHoldTheirFirstRow, attempts));
        Future<?> b = threads.submit(() -> appendInOrder(transactions, 2, 1, "b", bothHoldTheirFirstRow, attempts));
        a.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        b.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(attempts).hasValue(3);
        assertThat(logs.messages()).contains("transactions: committed on attempt 2");
        assertThat(logs.messages()).anyMatch(m -> m.startsWith("transactions: deadlock on attempt 1 of "));
        assertThat(notes()).allSatisfy(note -> assertThat(note).hasSize(2).contains("a", "b"));
    }

    /** Appends {@code mark} to row {@code first}, then to row {@code second}; the first attempt waits for the other. */
    private Void appendInOrder(PooledTransactions transactions, int first, int second, String mark,
            CyclicBarrier barrier, AtomicInteger attempts) {
        return transactions.execute(connection -> {
            boolean firstAttempt = attempts.incrementAndGet() <= 2;
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET LOCAL deadlock_timeout = '50ms'");
                statement.executeUpdate("UPDATE %s SET note = note || '%s' WHERE id = %d".formatted(table, mark, first));
                if (firstAttempt) {
                    meet(barrier);
                }
                statement.executeUpdate("UPDATE %s SET note = note || '%s' WHERE id = %d".formatted(table, mark, second));
            }
            return null;
        });
    }

    @Test
    void retriesASerializationFailure() throws Exception {
        PooledTransactions transactions = new PooledTransactions();
        start(transactions, settings("postgres", Duration.ofSeconds(5)));
        sql("INSERT INTO " + table + " VALUES (1, 'start')");
        AtomicInteger attempts = new AtomicInteger();

        transactions.execute(connection -> {
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                statement.executeQuery("SELECT note FROM " + table + " WHERE id = 1").close();
                if (attempts.incrementAndGet() == 1) {
                    sql("UPDATE " + table + " SET note = 'other' WHERE id = 1");
                }
                statement.executeUpdate("UPDATE " + table + " SET note = note || '+mine' WHERE id = 1");
            }
            return null;
        });

        assertThat(attempts).hasValue(2);
        assertThat(logs.messages()).anyMatch(m -> m.startsWith("transactions: serialization failure on attempt 1 of "));
        assertThat(notes()).containsExactly("other+mine");
    }

    @Test
    void givesUpAfterTheLastAttemptWithA503() throws Exception {
        PooledTransactions transactions = new PooledTransactions();
        start(transactions, settings("postgres", Duration.ofSeconds(5)));
        AtomicInteger attempts = new AtomicInteger();

        assertThatThrownBy(() -> transactions.execute(connection -> {
            attempts.incrementAndGet();
            throw new SQLException("could not serialize access", SqlStates.SERIALIZATION_FAILURE);
        })).isInstanceOfSatisfying(DatabaseUnavailable.class, e -> assertThat(e.retryAfter()).isPositive());

        assertThat(attempts).hasValue(PooledTransactions.MAX_ATTEMPTS);
        assertThat(logs.messages()).contains(
                "transactions: serialization failure on each of " + PooledTransactions.MAX_ATTEMPTS + " attempts; giving up");
    }

    @Test
    void waitsForAConnectionFromAFullPoolOnlyUntilTheConnectTimeout() throws Exception {
        PooledTransactions transactions = new PooledTransactions();
        DatabaseSettings onePooled = new DatabaseSettings(urlOf("postgres"), "postgres", "", 1,
                Duration.ofMillis(300), stateDir);
        start(transactions, onePooled);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = threads.submit(() -> transactions.execute(connection -> {
            holding.countDown();
            awaitRelease(release);
            return null;
        }));
        holding.await();

        long begin = System.nanoTime();
        assertThatThrownBy(() -> transactions.execute(connection -> 1)).isInstanceOf(DatabaseUnavailable.class);
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(3));
        release.countDown();
        holder.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void stopWaitsForTheOpenTransactionToCommitBeforeClosingThePool() throws Exception {
        PooledTransactions transactions = new PooledTransactions();
        Database database = start(transactions, settings("postgres", Duration.ofSeconds(10)));
        CountDownLatch inserted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> worker = threads.submit(() -> transactions.execute(connection -> {
            insert(connection, 1, "committed during the stop");
            inserted.countDown();
            awaitRelease(release);
            return "done";
        }));
        inserted.await();

        Future<?> stopping = threads.submit(() -> stop(database));
        await().atMost(WAIT).until(() -> logs.contains("transactions: refusing new work"));
        Thread.sleep(200); // the stop must still be waiting for the transaction
        assertThat(stopping).isNotDone();
        release.countDown();
        assertThat(worker.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("done");
        stopping.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        int refusing = logs.indexOf("transactions: refusing new work; waiting up to");
        int committed = logs.indexOf("transactions: committed on attempt 1");
        int poolClosed = logs.indexOf("database: pool closed after");
        assertThat(refusing).isNotNegative();
        assertThat(committed).isGreaterThan(refusing);
        assertThat(poolClosed).isGreaterThan(committed);
        assertThat(notes()).containsExactly("committed during the stop");
        assertThat(stopResult.complete()).isTrue();
        assertThat(stopResult.summary()).isEqualTo("1 transactions finished, 0 rolled back, pool closed");
    }

    @Test
    void refusesWorkSubmittedAfterTheStopBegan() throws Exception {
        PooledTransactions transactions = new PooledTransactions();
        Database database = start(transactions, settings("postgres", Duration.ofSeconds(10)));
        CountDownLatch open = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> worker = threads.submit(() -> transactions.execute(connection -> {
            open.countDown();
            awaitRelease(release);
            return null;
        }));
        open.await();
        Future<?> stopping = threads.submit(() -> stop(database));
        await().atMost(WAIT).until(() -> logs.contains("transactions: refusing new work"));

        assertThatThrownBy(() -> transactions.execute(connection -> insert(connection, 2, "too late")))
                .isInstanceOfSatisfying(DatabaseUnavailable.class, e -> {
                    assertThat(e.retryAfter()).isPositive();
                });
        release.countDown();
        worker.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        stopping.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(notes()).isEmpty();
    }

    @Test
    void stopAbortsATransactionThatOutlivesItsDeadline() throws Exception {
        PooledTransactions transactions = new PooledTransactions();
        Database database = start(transactions, settings("postgres", Duration.ofMillis(500)));
        Future<?> worker = threads.submit(() -> transactions.execute(connection -> {
            insert(connection, 1, "never committed");
            return count(connection, "SELECT count(*) FROM (SELECT pg_sleep(60)) AS slept");
        }));
        await().atMost(WAIT).until(() -> count(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lastcall' AND query LIKE '%pg_sleep(60)%' AND state = 'active'") == 1);

        long begin = System.nanoTime();
        stop(database);
        Duration took = Duration.ofNanos(System.nanoTime() - begin);

        assertThat(took).isLessThan(Duration.ofSeconds(5));
        assertThatThrownBy(() -> worker.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(DatabaseUnavailable.class);
        assertThat(stopResult.complete()).isFalse();
        assertThat(stopResult.summary()).isEqualTo("0 transactions finished, 1 rolled back, pool closed");
        assertThat(logs.indexOf("transactions: 1 still open after")).isNotNegative()
                .isLessThan(logs.indexOf("database: pool closed after"));
        assertThat(notes()).isEmpty();
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()") == 0);
    }

    @Test
    void theHealthCheckReachesTheDatabaseWhileItIsOpenAndNotOnceItStops() throws Exception {
        PooledTransactions transactions = new PooledTransactions();
        DatabaseCheck check = new DatabaseCheck(transactions::pool, Duration.ZERO, Duration.ofSeconds(5));
        assertThat(check.check().reachable()).as("before start").isFalse();
        Database database = start(transactions, settings("postgres", Duration.ofSeconds(5)));

        DatabaseCheck.Result open = check.check();
        assertThat(open.reachable()).as(open.problem()).isTrue();
        assertThat(open.latency()).isLessThan(Duration.ofSeconds(1));

        stop(database);
        assertThat(check.check().reachable()).as("after stop").isFalse();
    }

    @Test
    void behindAPoolerTheDriverPreparesNoNamedStatementsUnlessTheUrlSaysOtherwise() throws Exception {
        assertThat(prepareThreshold(urlOf("postgres"), false)).as("straight to PostgreSQL: pgjdbc's default").isEqualTo(5);
        assertThat(prepareThreshold(urlOf("postgres"), true)).as("db.transactionPooling").isZero();
        assertThat(prepareThreshold(urlOf("postgres") + "?prepareThreshold=3", true)).as("written into db.url").isEqualTo(3);
    }

    private int prepareThreshold(String url, boolean transactionPooling) throws Exception {
        PooledTransactions transactions = new PooledTransactions();
        Database database = start(transactions,
                new DatabaseSettings(url, "postgres", "", 2, Duration.ofSeconds(5), stateDir, transactionPooling));
        try {
            return transactions.execute(connection -> connection.unwrap(PGConnection.class).getPrepareThreshold());
        } finally {
            stop(database);
        }
    }

    private Database start(PooledTransactions transactions, DatabaseSettings settings) throws Exception {
        Database database = new Database(settings, transactions);
        database.start();
        running.add(database);
        return database;
    }

    private Database start(PooledTransactions transactions, DatabaseSettings settings, String migrations) throws Exception {
        Database database = new Database(settings, transactions, migrations);
        database.start();
        running.add(database);
        return database;
    }

    /** Stops as the shutdown sequence does with {@code db.stopTimeout} of the last {@link #settings}. */
    private Void stop(Database database) throws Exception {
        running.remove(database);
        stopResult = database.stop(Deadline.after(stopTimeout));
        return null;
    }

    private DatabaseSettings settings(String databaseName, Duration stopTimeout) {
        this.stopTimeout = stopTimeout;
        return new DatabaseSettings(urlOf(databaseName), "postgres", "", 4, Duration.ofSeconds(5), stateDir);
    }

    private static String urlOf(String databaseName) {
        return "jdbc:postgresql://127.0.0.1:%d/%s".formatted(postgres.getPort(), databaseName);
    }

    private int insert(Connection connection, long id, String note) throws SQLException {
        try (var statement = connection.prepareStatement("INSERT INTO " + table + " (id, note) VALUES (?, ?)")) {
            statement.setLong(1, id);
            statement.setString(2, note);
            return statement.executeUpdate();
        }
    }

    /** The notes as another connection sees them: only what committed. */
    private List<String> notes() throws SQLException {
        List<String> notes = new ArrayList<>();
        try (Connection connection = direct().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT note FROM " + table + " ORDER BY id")) {
            while (rows.next()) {
                notes.add(rows.getString(1));
            }
        }
        return notes;
    }

    private static DataSource direct() {
        return postgres.getPostgresDatabase();
    }

    private static void sql(String sql) throws SQLException {
        try (Connection connection = direct().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static long count(String query) throws SQLException {
        try (Connection connection = direct().getConnection()) {
            return count(connection, query);
        }
    }

    private static long count(Connection connection, String query) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static void awaitRelease(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released within " + WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void meet(CyclicBarrier barrier) {
        try {
            barrier.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the other transaction never arrived", e);
        }
    }
}
