package dev.lastcall.platform.database.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.StopResult;
import dev.lastcall.platform.lifecycle.ExitStatus;
import dev.lastcall.platform.lifecycle.StartFailure;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded PostgreSQL under state.dir: one state directory for the class, so it unpacks once. */
class EmbeddedDatabaseIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path stateDir;

    private LogCapture logs;

    @BeforeEach
    void captureLogs() {
        logs = new LogCapture();
    }

    @AfterEach
    void releaseLogs() {
        logs.close();
    }

    static DatabaseSettings settings(Path stateDir) {
        return new DatabaseSettings("", "", "", 4, Duration.ofSeconds(5), stateDir);
    }

    @Test
    void keepsItsDataAcrossRestartsAndStopsTheServerAfterThePool() throws Exception {
        int hooksBefore = shutdownHooks();
        PooledTransactions transactions = new PooledTransactions();
        Database first = new Database(settings(stateDir), transactions);
        first.start();
        assertThat(shutdownHooks()).as("shutdown hooks added by the embedded server").isEqualTo(hooksBefore);
        List<String> serverSettings = transactions.execute(connection -> List.of(
                show(connection.createStatement(), "fsync"),
                show(connection.createStatement(), "synchronous_commit"),
                show(connection.createStatement(), "listen_addresses")));
        assertThat(serverSettings).containsExactly("on", "on", "127.0.0.1");
        transactions.execute(connection -> connection.createStatement().execute(
                "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('written before the restart')"));
        Path pidFile = stateDir.resolve("postgres/data/postmaster.pid");
        assertThat(pidFile).exists();

        StopResult stopped = first.stop(Deadline.after(WAIT));

        assertThat(pidFile).doesNotExist();
        assertThat(stopped.complete()).isTrue();
        assertThat(logs.indexOf("database: pool closed after")).isNotNegative()
                .isLessThan(logs.indexOf("database: embedded PostgreSQL stopped after"));

        PooledTransactions again = new PooledTransactions();
        Database second = new Database(settings(stateDir), again);
        second.start();
        try {
            String kept = again.execute(connection -> show(connection.createStatement(), "(SELECT note FROM kept)"));
            assertThat(kept).isEqualTo("written before the restart");
        } finally {
            second.stop(Deadline.after(WAIT));
        }
    }

    @Test
    void refusesAStateDirectoryThatAnotherServerUses() throws Exception {
        Database first = new Database(settings(stateDir), new PooledTransactions());
        first.start();
        try {
            Database second = new Database(settings(stateDir), new PooledTransactions());
            assertThatThrownBy(second::start).isInstanceOfSatisfying(StartFailure.class, failure -> {
                assertThat(failure.status()).isEqualTo(ExitStatus.START_FAILED);
                assertThat(failure.getMessage()).contains("is in use by another process");
            });
        } finally {
            first.stop(Deadline.after(WAIT));
        }
    }

    @Test
    void stopsTheServerThatAKilledProcessLeftRunningAndKeepsItsData() throws Exception {
        Process child = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                EmbeddedDatabaseChild.class.getName(), stateDir.toString())
                .redirectErrorStream(true)
                .start();
        try {
            assertThat(readyWithin(child, WAIT)).as("the child said ready").isTrue();
        } finally {
            child.destroyForcibly();
            child.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        long orphan = Long.parseLong(Files.readAllLines(stateDir.resolve("postgres/data/postmaster.pid")).getFirst().strip());
        assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).as("PostgreSQL outlived its process").contains(true);

        PooledTransactions transactions = new PooledTransactions();
        Database database = new Database(settings(stateDir), transactions);
        database.start();
        try {
            assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(logs.messages()).anyMatch(m -> m.startsWith("database: PostgreSQL (pid " + orphan + ") left running on "));
            String survivor = transactions.execute(connection -> show(connection.createStatement(), "(SELECT note FROM survivor)"));
            assertThat(survivor).isEqualTo(EmbeddedDatabaseChild.NOTE);
        } finally {
            database.stop(Deadline.after(WAIT));
        }
    }

    private static boolean readyWithin(Process child, Duration wait) throws Exception {
        List<String> output = new ArrayList<>();
        CompletableFuture<Boolean> ready = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    output.add(line);
                    if (line.equals(EmbeddedDatabaseChild.READY)) {
                        return true;
                    }
                }
                return false;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        boolean result = ready.get(wait.toSeconds(), TimeUnit.SECONDS);
        if (!result) {
            System.err.println(String.join("\n", output));
        }
        return result;
    }

    private static String show(Statement statement, String what) throws SQLException {
        String query = what.startsWith("(") ? "SELECT " + what : "SHOW " + what;
        try (statement; ResultSet rows = statement.executeQuery(query)) {
            rows.next();
            return rows.getString(1);
        }
    }

    @SuppressWarnings("unchecked")
    private static int shutdownHooks() throws ReflectiveOperationException {
        Field hooks = Class.forName("java.lang.ApplicationShutdownHooks").getDeclaredField("hooks");
        hooks.setAccessible(true);
        Map<Thread, Thread> registered = (Map<Thread, Thread>) hooks.get(null);
        synchronized (Class.forName("java.lang.ApplicationShutdownHooks")) {
            return registered.size();
        }
    }
}
