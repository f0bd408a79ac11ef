package dev.lastcall.platform.database.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.lastcall.platform.config.Redaction;
import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.ExitStatus;
import dev.lastcall.platform.lifecycle.Managed;
import dev.lastcall.platform.lifecycle.Seconds;
import dev.lastcall.platform.lifecycle.StartFailure;
import dev.lastcall.platform.lifecycle.StopResult;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.jspecify.annotations.Nullable;
import org.postgresql.Driver;
import org.postgresql.PGProperty;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database, a lifecycle component of phase DATABASE. Start: the embedded PostgreSQL when
 * {@code db.url} is empty, the pool, Flyway's migrations, then {@link Transactions} opens. Stop
 * (DESIGN.md, step 5): refuse new work, wait for open transactions until the deadline, abort only
 * what outlives it, close the pool, then stop the embedded server.
 * A start that fails half way undoes itself, since the lifecycle stops only what started.
 */
public final class Database implements Managed {

    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private static final Duration LONGEST_VALIDATION = Duration.ofSeconds(5);
    private static final String POOL_NAME = "lastcall";
    private static final String MIGRATIONS = "classpath:db/migration";
    /** The probe's connect, login and socket timeouts: the driver counts them in whole seconds. */
    private static final int PROBE_TIMEOUT_SECONDS = 1;
    /**
     * pgjdbc's {@code prepareThreshold} for a pooler in transaction mode: a statement prepared on the
     * server under a name lives on one server connection, and the next transaction may get another.
     */
    private static final int UNNAMED_STATEMENTS_ONLY = 0;

    private final DatabaseSettings settings;
    private final PooledTransactions transactions;
    private final String migrations;
    private final MeterRegistry registry;
    private @Nullable EmbeddedPostgresServer embedded;
    private @Nullable AdoptedPostgres adopted;
    /** A hot handover's successor adopts the embedded server its predecessor runs. */
    private volatile boolean adoptRunningServer;
    /** A hot handover's predecessor leaves the embedded server running for its successor. */
    private volatile boolean leaveServerRunning;
    /** An adopted server is the predecessor's until this process has taken over; a stop before leaves it running. */
    private volatile boolean adoptedServerIsOurs = true;
    private @Nullable HikariDataSource pool;

    @Inject
    Database(DatabaseSettings settings, PooledTransactions transactions, MeterRegistry registry) {
        this(settings, transactions, MIGRATIONS, registry);
    }

    Database(DatabaseSettings settings, PooledTransactions transactions) {
        this(settings, transactions, MIGRATIONS);
    }

    /** @param migrations where Flyway finds the migrations: {@code db/migration} but in tests */
    Database(DatabaseSettings settings, PooledTransactions transactions, String migrations) {
        this(settings, transactions, migrations, new SimpleMeterRegistry());
    }

    private Database(DatabaseSettings settings, PooledTransactions transactions, String migrations,
            MeterRegistry registry) {
        this.settings = settings;
        this.transactions = transactions;
        this.migrations = migrations;
        this.registry = registry;
        Gauge.builder("lastcall.database.transactions.open", transactions, PooledTransactions::openTransactions)
                .description("Units of work (transactions, retries included) running now")
                .register(registry);
        FunctionCounter.builder("lastcall.database.drain.transactions", transactions, PooledTransactions::finishedInDrain)
                .description("Transactions that finished (or were rolled back at the deadline) during the stop")
                .tag("outcome", "finished")
                .register(registry);
        FunctionCounter.builder("lastcall.database.drain.transactions", transactions, PooledTransactions::abortedInDrain)
                .description("Transactions that finished (or were rolled back at the deadline) during the stop")
                .tag("outcome", "rolled_back")
                .register(registry);
    }

    @Override
    public String name() {
        return "database";
    }

    @Override
    public void start() throws Exception {
        try {
            String url = settings.url();
            String user = settings.user();
            String password = settings.password();
            if (settings.embedded() && adoptRunningServer) {
                AdoptedPostgres server = AdoptedPostgres.adopt(settings.embeddedHome());
                adopted = server;
                url = server.jdbcUrl();
                user = EmbeddedPostgresServer.USER;
                password = "";
                log.info("database: adopted the embedded PostgreSQL (pid {}) at {}, data in {}, from the predecessor",
                        server.pid(), url, server.dataDirectory());
            } else if (settings.embedded()) {
                long begin = System.nanoTime();
                EmbeddedPostgresServer server = EmbeddedPostgresServer.start(settings.embeddedHome(), settings.poolSize());
                embedded = server;
                url = server.jdbcUrl();
                user = EmbeddedPostgresServer.USER;
                password = "";
                log.info("database: embedded PostgreSQL at {}, data in {}, started in {}",
                        url, server.dataDirectory(), Seconds.since(begin));
            }
            // Flyway on its own connections while the pool fills: the two waits overlap
            FutureTask<Void> migration = migration(unpooled(url, user, password, POOL_NAME + "-migrations", timeoutSeconds()));
            Thread.ofPlatform().name("database-migrations").start(migration);
            HikariDataSource connected;
            try {
                connected = connect(url, user, password);
            } catch (Exception | Error e) {
                awaitQuietly(migration);
                throw e;
            }
            pool = connected;
            awaitMigration(migration);
            transactions.open(connected);
            transactions.availability().watch(probe(unpooled(url, user, password, POOL_NAME + "-probe", PROBE_TIMEOUT_SECONDS)));
        } catch (Exception | Error e) {
            closeAfterFailedStart();
            throw e;
        }
    }

    /**
     * Call before start, in a hot handover's successor: adopt the running embedded server instead of
     * starting one. It stays the predecessor's, left running by a stop, until {@link #tookOver}.
     */
    public void adoptRunningServer() {
        adoptRunningServer = true;
        adoptedServerIsOurs = false;
    }

    /** In a hot handover's successor, once the predecessor has handed the service over: the adopted server is this process's to stop. */
    public void tookOver() {
        adoptedServerIsOurs = true;
    }

    /** Call before stop, in a hot handover's predecessor: the successor uses the embedded server, so it stays. */
    public void leaveServerRunning() {
        leaveServerRunning = true;
    }

    /** The pool, for tests that must look at the database from outside {@link Transactions}. */
    DataSource dataSource() {
        return Objects.requireNonNull(pool, "database not started");
    }

    private HikariDataSource connect(String url, String user, String password) throws StartFailure {
        long begin = System.nanoTime();
        Duration timeout = settings.connectTimeout();
        HikariConfig config = new HikariConfig();
        config.setPoolName(POOL_NAME);
        PGSimpleDataSource driver = unpooled(url, user, password, POOL_NAME, timeoutSeconds());
        driver.setTcpKeepAlive(true);
        config.setDataSource(new WatchedDataSource(driver, transactions.availability()));
        config.setMaximumPoolSize(settings.poolSize());
        config.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        // Transactions commits each unit of work itself; autocommit would commit it statement by statement.
        config.setAutoCommit(false);
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        config.setConnectionTimeout(timeout.toMillis());
        config.setValidationTimeout(Math.min(timeout.toMillis(), LONGEST_VALIDATION.toMillis()));
        config.setInitializationFailTimeout(timeout.toMillis());
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(config);
        } catch (RuntimeException e) {
            String reason = SqlStates.sqlCause(e).map(Throwable::getMessage).orElseGet(() -> Failures.oneLine(e));
            throw new StartFailure(ExitStatus.DATABASE_UNREACHABLE,
                    "database unreachable at %s: %s".formatted(Redaction.withoutPassword(url), reason.replace('\n', ' ')), e);
        }
        log.info("database: pool of {} connections to {} ({}) in {}",
                settings.poolSize(), Redaction.withoutPassword(url), serverVersion(dataSource), Seconds.since(begin));
        return dataSource;
    }

    /**
     * Connections of the driver's own, for the pool to open, for Flyway (so that migrating needs no
     * room in the pool: it takes two at once) and for the availability probe; without server-side
     * prepared statements behind a pooler in transaction mode.
     */
    private PGSimpleDataSource unpooled(String url, String user, String password, String applicationName,
            int timeoutSeconds) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(url);
        if (!user.isEmpty()) {
            dataSource.setUser(user);
        }
        if (!password.isEmpty()) {
            dataSource.setPassword(password);
        }
        dataSource.setConnectTimeout(timeoutSeconds);
        dataSource.setLoginTimeout(timeoutSeconds);
        dataSource.setApplicationName(applicationName);
        if (settings.transactionPooling() && !urlSetsPrepareThreshold(url)) {
            dataSource.setPrepareThreshold(UNNAMED_STATEMENTS_ONLY);
        }
        return dataSource;
    }

    /** A {@code prepareThreshold} written into {@code db.url} wins over {@code db.transactionPooling}. */
    private static boolean urlSetsPrepareThreshold(String url) {
        Properties given = Driver.parseURL(url, null);
        return given != null && given.containsKey(PGProperty.PREPARE_THRESHOLD.getName());
    }

    /** One connection of its own, validated: the pool's may all be busy, or dead after a restart. */
    private static DatabaseAvailability.Probe probe(PGSimpleDataSource dataSource) {
        dataSource.setSocketTimeout(PROBE_TIMEOUT_SECONDS);
        return () -> {
            try (Connection connection = dataSource.getConnection()) {
                if (!connection.isValid(PROBE_TIMEOUT_SECONDS)) {
                    throw new SQLException("a new connection did not validate within " + PROBE_TIMEOUT_SECONDS + "s", "08006");
                }
            }
        };
    }

    /** The driver counts its timeouts in whole seconds. */
    private int timeoutSeconds() {
        return (int) Math.max(1, (settings.connectTimeout().toMillis() + 999) / 1000);
    }

    private static String serverVersion(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return "PostgreSQL " + connection.getMetaData().getDatabaseProductVersion();
        } catch (SQLException e) {
            return "version unknown: " + e.getMessage();
        }
    }

    private FutureTask<Void> migration(DataSource dataSource) {
        return new FutureTask<>(() -> {
            migrate(dataSource, migrations);
            return null;
        });
    }

    private static void awaitMigration(FutureTask<Void> migration) throws StartFailure, InterruptedException {
        try {
            migration.get();
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case StartFailure failure -> throw failure;
                case RuntimeException unchecked -> throw unchecked;
                case Error error -> throw error;
                default -> throw new IllegalStateException(e.getCause());
            }
        }
    }

    /**
     * Waits for the migration when the pool failed, so that nothing runs on after a failed start;
     * the pool's failure is the one to report (the migration failed for the same reason or not at all).
     */
    private static void awaitQuietly(FutureTask<Void> migration) throws InterruptedException {
        try {
            migration.get();
        } catch (ExecutionException ignored) {
            // reported by the pool's failure
        }
    }

    private static void migrate(DataSource dataSource, String migrations) throws StartFailure {
        long begin = System.nanoTime();
        MigrateResult result;
        try {
            FluentConfiguration configuration = Flyway.configure()
                    .dataSource(dataSource)
                    .locations(migrations)
                    .failOnMissingLocations(false)
                    .validateMigrationNaming(true);
            // Flyway's default, pinned: its lock is then pg_advisory_xact_lock, which PgBouncer in
            // transaction mode keeps. A session lock would stay behind on a server connection that
            // PgBouncer hands to others, and its unlock could run on another one.
            configuration.getConfigurationExtension(PostgreSQLConfigurationExtension.class).setTransactionalLock(true);
            result = configuration.load().migrate();
        } catch (FlywayException e) {
            throw new StartFailure(ExitStatus.START_FAILED,
                    "database migration failed: " + Failures.oneLine(e), e);
        }
        String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
        log.info("database: schema at version {}, {} migrations applied in {}",
                version == null ? "none" : version, result.migrationsExecuted, Seconds.since(begin));
    }

    /** @param deadline when transactions still open are rolled back; the pool closes right after */
    @Override
    public StopResult stop(Deadline deadline) throws Exception {
        long begin = System.nanoTime();
        PooledTransactions.Drain drain;
        try {
            drain = transactions.drain(deadline);
        } finally {
            transactions.availability().close();
            try {
                closePool(begin);
            } finally {
                stopEmbedded(begin, deadline);
            }
        }
        String summary = "%d transactions finished, %d rolled back, pool closed".formatted(drain.finished(), drain.aborted());
        return drain.aborted() == 0 ? StopResult.complete(summary) : StopResult.cut(summary);
    }

    private void closePool(long begin) {
        HikariDataSource closing = pool;
        if (closing != null) {
            closing.close();
            log.info("database: pool closed after {}", Seconds.since(begin));
        }
    }

    private void stopEmbedded(long begin, Deadline deadline) {
        AdoptedPostgres adoptedServer = adopted;
        if (adoptedServer != null && !adoptedServerIsOurs) {
            log.info("database: embedded PostgreSQL (adopted, pid {}) left running: the predecessor serves with it",
                    adoptedServer.pid());
            return;
        }
        if ((embedded != null || adoptedServer != null) && leaveServerRunning) {
            log.info("database: embedded PostgreSQL left running for the successor");
            return;
        }
        if (adoptedServer != null) {
            if (!adoptedServer.awaitPredecessor(deadline)) {
                log.warn("database: the predecessor still runs at the stop's deadline; stopping the embedded PostgreSQL under it");
            }
            adoptedServer.stop();
            log.info("database: embedded PostgreSQL (adopted, pid {}) stopped after {}", adoptedServer.pid(), Seconds.since(begin));
        }
        EmbeddedPostgresServer server = embedded;
        if (server != null) {
            server.stop();
            log.info("database: embedded PostgreSQL stopped after {}", Seconds.since(begin));
        }
    }

    private void closeAfterFailedStart() {
        long begin = System.nanoTime();
        transactions.availability().close();
        try {
            closePool(begin);
        } catch (RuntimeException e) {
            log.warn("database: closing the pool after the failed start failed: {}", e.toString());
        } finally {
            stopEmbedded(begin, Deadline.after(Duration.ZERO));
        }
    }
}
