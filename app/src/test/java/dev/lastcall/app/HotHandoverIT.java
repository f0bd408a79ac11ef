package dev.lastcall.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.platform.process.ReloadOutcome;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP to the real jar, run as {@code java -jar} without systemd, on the embedded PostgreSQL:
 * a reload with a bad config fails, says so to {@code lastcall.jar reload PID}, and the old
 * process serves on; with the config fixed, the successor takes the ports and the running
 * database over, a second SIGHUP during the handover is ignored, the old process exits 0.
 */
class HotHandoverIT {

    private static final Duration WITHIN = Duration.ofSeconds(240);
    private static final Pattern READY = Pattern.compile("ready in [0-9.?]+s: http on port (\\d+), admin on port (\\d+)");
    private static final Pattern REFUSED = Pattern.compile("(?m)^lastcall_ledger_transfers_refused_total\\{[^}]*\\} (\\S+)$");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void aFailedReloadChangesNothingAndAGoodOneHandsTheSocketsAndTheDatabaseOver() throws Exception {
        Path config = Files.writeString(dir.resolve("lastcall.conf"), "");
        Path state = dir.resolve("state");
        // as the unit runs it: the JDK through a link (/opt/lastcall/jdk), which a reload follows anew
        Path jdk = Files.createSymbolicLink(dir.resolve("jdk"), Path.of(ServiceProcess.java()).getParent().getParent());
        Path java = jdk.resolve("bin/java");
        try (ServiceProcess service = ServiceProcess.builder().label("handover").stateDir(state).javaBinary(java)
                .args("--config", config.toString()).start()) {
            // not awaitReady(): its minute is too short for the embedded PostgreSQL's first start on a loaded machine
            Matcher ready = service.awaitLine(READY, WITHIN);
            int httpPort = Integer.parseInt(ready.group(1));
            int adminPort = Integer.parseInt(ready.group(2));
            long firstPid = service.pid();
            assertThat(pidAnswering(adminPort)).isEqualTo(firstPid);
            long databasePid = Long.parseLong(Files.readAllLines(state.resolve("postgres/data/postmaster.pid")).getFirst().strip());

            Files.writeString(config, "log.level = LOUD\n");
            Reloaded failed = reload(firstPid);

            assertThat(failed.status()).as("reload command's exit status; output: %s", failed.output()).isEqualTo(1);
            assertThat(failed.output()).contains("failed: the successor", "exited with status 2");
            assertThat(service.hasLine("reload failed: the successor \\(pid \\d+\\) exited with status 2 before it was ready; pid "
                    + firstPid + " goes on serving")).isTrue();
            assertThat(pidAnswering(adminPort)).isEqualTo(firstPid);
            assertThat(get(httpPort, "/v1/openapi.json").statusCode()).isEqualTo(200);

            assertThat(post(httpPort, "/v1/accounts", "{\"code\":\"alice\",\"currency\":\"EUR\"}").statusCode()).isEqualTo(201);

            // A successor stopped while it warms up never says ready: the reload fails, and the old
            // process goes on serving, on the embedded PostgreSQL the successor had adopted.
            Files.writeString(config, "http.warmUp = 60s\n");
            int from = service.output().length();
            CompletableFuture<Reloaded> stoppedReload = CompletableFuture.supplyAsync(() -> reloadUnchecked(firstPid));
            long warmingPid = Long.parseLong(await(service, "handover: successor started as pid (\\d+)", from).group(1));
            await(service, "http: warming up for [0-9.]+s before saying ready", from);
            ProcessHandle.of(warmingPid).orElseThrow().destroy();
            Reloaded stopped = stoppedReload.get(WITHIN.toSeconds(), TimeUnit.SECONDS);
            assertThat(stopped.status()).as("reload command's exit status; output: %s", stopped.output()).isEqualTo(1);
            assertThat(await(service, "reload failed: the successor \\(pid " + warmingPid
                    + "\\) exited with status \\d+ before it was ready; pid " + firstPid + " goes on serving", from)).isNotNull();
            assertThat(service.hasLine("embedded PostgreSQL \\(adopted, pid " + databasePid
                    + "\\) left running: the predecessor serves with it")).isTrue();
            assertThat(pidAnswering(adminPort)).isEqualTo(firstPid);
            assertThat(get(httpPort, "/v1/accounts/alice").statusCode()).isEqualTo(200);

            Files.writeString(config, "http.warmUp = 10s\n"); // time to signal the successor while it warms up
            from = service.output().length();
            CompletableFuture<Reloaded> goodReload = CompletableFuture.supplyAsync(() -> reloadUnchecked(firstPid));
            long starting = Long.parseLong(await(service, "handover: successor started as pid (\\d+)", from).group(1));
            service.signal("HUP");
            await(service, "http: warming up for", from);
            ReloadOutcome.ask(starting); // as the reload command does, without a JVM's start inside the warm-up
            assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(starting)).start().waitFor()).isZero();
            assertThat(ReloadOutcome.await(starting, WITHIN)).as("a reload of the successor before it took over")
                    .contains("failed: pid %d has not taken over from its predecessor yet".formatted(starting));
            long successorPid = Long.parseLong(await(service, "handover: pid (\\d+) is ready and is the service now", from).group(1));
            try {
                assertThat(successorPid).as("the successor signalled while it warmed up").isEqualTo(starting);
                Reloaded done = goodReload.get(WITHIN.toSeconds(), TimeUnit.SECONDS);
                assertThat(done.status()).as("reload command's exit status; output: %s", done.output()).isZero();
                assertThat(done.output()).contains("lastcall reload: ok " + successorPid);
                assertThat(ReloadOutcome.fileOf(firstPid)).as("the outcome file, once read").doesNotExist();
                assertThat(Files.readString(Path.of("/proc/%d/cmdline".formatted(successorPid))).split("\0")[0])
                        .as("the successor's java, by the link's path").isEqualTo(java.toString());
                assertThat(service.awaitExit(WITHIN)).as("old process's exit status").isZero();
                assertThat(service.hasLine("SIGHUP received during a handover: ignored")).isTrue();
                assertThat(service.hasLine("SIGHUP received before this process took over from its predecessor: ignored"))
                        .as("a successor's SIGHUP before it took over").isTrue();
                assertThat(service.hasLine("adopted the embedded PostgreSQL \\(pid " + databasePid + "\\)")).isTrue();
                assertThat(service.hasLine("embedded PostgreSQL left running for the successor")).isTrue();
                assertThat(pidAnswering(adminPort)).isEqualTo(successorPid);
                assertThat(get(httpPort, "/v1/openapi.json").statusCode()).isEqualTo(200);
                assertThat(ProcessHandle.of(databasePid).map(ProcessHandle::isAlive)).contains(true);
                // before it said it was ready, it read alice and her transfers and sent a transfer refused
                // before the database...
                assertThat(position(service, "http: warmed up for [0-9.]+s with [1-9][0-9]* requests in memory "
                        + "\\(by status \\{200=[1-9][0-9]*, 400=[1-9][0-9]*\\}\\)", from))
                        .isNotNegative().isLessThan(position(service, "handover: pid \\d+ is ready and is the service now", from));
                // ...which neither the access log (its one read of an account is this test's) nor the metrics count...
                assertThat(Pattern.compile("GET /v1/accounts/\\{code\\} ").matcher(service.output()).results()).hasSize(1);
                assertThat(service.hasLine("GET /v1/accounts/\\{code\\}/transfers|POST /v1/transfers")).isFalse();
                String metrics = get(adminPort, "/metrics").body();
                assertThat(metrics).contains("lastcall_ledger_transfers_refused_total")
                        .doesNotContain("route=\"/v1/accounts/{code}\"").doesNotContain("route=\"/v1/transfers\"");
                assertThat(REFUSED.matcher(metrics).results().map(refused -> refused.group(1)))
                        .isNotEmpty().allMatch(count -> Double.parseDouble(count) == 0);
                // ...and nothing was written
                assertThat(get(httpPort, "/v1/accounts/alice").body()).contains("\"balance\":0");
                assertThat(get(httpPort, "/v1/accounts/alice/transfers").body()).contains("\"items\":[]");
            } finally {
                ProcessHandle successor = ProcessHandle.of(successorPid).orElseThrow();
                successor.destroy();
                successor.onExit().get(60, TimeUnit.SECONDS);
            }
            // its log is not seen here: the JDK stops reading the pipe when the process it started (the old one) exits
            ProcessHandle database = ProcessHandle.of(databasePid).orElse(null);
            if (database != null) {
                database.onExit().get(60, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * A stop of the successor right after it took over, while the old process still drains a
     * transfer that waits for a row lock: the successor leaves the embedded PostgreSQL to the old
     * process until it has exited, so the transfer commits and is answered 201.
     */
    @Test
    void aStopRightAfterAReloadWaitsForTheOldProcessBeforeStoppingTheDatabase() throws Exception {
        Path state = dir.resolve("state");
        try (ServiceProcess service = ServiceProcess.builder().label("handover").stateDir(state).start()) {
            int httpPort = Integer.parseInt(service.awaitLine(READY, WITHIN).group(1));
            openAccounts(httpPort);
            int databasePort = Integer.parseInt(Files.readAllLines(state.resolve("postgres/data/postmaster.pid")).get(3).strip());
            InFlightAtReload reload;
            try (Connection holder = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:%d/postgres".formatted(databasePort),
                    "postgres", "")) {
                reload = stopTheSuccessorRightAfterAReload(service, httpPort, holder);
            }
            HttpResponse<String> answer = reload.transfer().get(WITHIN.toSeconds(), TimeUnit.SECONDS);
            assertThat(answer.statusCode()).as("the transfer in flight at the reload: %s", answer.body()).isEqualTo(201);
            assertThat(service.awaitExit(WITHIN)).as("old process's exit status").isZero();
            reload.successor().onExit().get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * The same with a database of its own: the successor exits only after the old process, since
     * under KillMode=mixed systemd kills what is left of the service once the main process exited.
     */
    @Test
    void aStopRightAfterAReloadExitsAfterTheOldProcessWhateverTheDatabase() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setRegisterShutdownHook(false).start();
                ServiceProcess service = ServiceProcess.builder().label("handover").stateDir(dir.resolve("state"))
                        .env("LASTCALL_DB_URL", "jdbc:postgresql://127.0.0.1:%d/postgres".formatted(postgres.getPort()))
                        .env("LASTCALL_DB_USER", "postgres").start()) {
            int httpPort = Integer.parseInt(service.awaitLine(READY, WITHIN).group(1));
            openAccounts(httpPort);
            InFlightAtReload reload;
            try (Connection holder = DriverManager.getConnection(postgres.getJdbcUrl("postgres", "postgres"))) {
                reload = stopTheSuccessorRightAfterAReload(service, httpPort, holder);
            }
            assertThat(reload.transfer().get(WITHIN.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(201);
            assertThat(service.awaitExit(WITHIN)).as("old process's exit status").isZero();
            reload.successor().onExit().get(60, TimeUnit.SECONDS);
        }
    }

    private record InFlightAtReload(CompletableFuture<HttpResponse<String>> transfer, ProcessHandle successor) {}

    /**
     * A transfer waiting for the row lock {@code holder} takes on alice, then a reload, and SIGTERM
     * to the successor as soon as it has taken over; 1.5 s later, with the transfer still waiting
     * and the successor not yet exited, the lock is let go.
     */
    private InFlightAtReload stopTheSuccessorRightAfterAReload(ServiceProcess service, int httpPort, Connection holder)
            throws Exception {
        holder.setAutoCommit(false);
        try (Statement lock = holder.createStatement()) {
            lock.executeQuery("SELECT 1 FROM ledger_account WHERE code = 'alice' FOR UPDATE").close();
        }
        CompletableFuture<HttpResponse<String>> transfer = http.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:%d/v1/transfers".formatted(httpPort)))
                        .header("Content-Type", "application/json").header("Idempotency-Key", "in-flight-at-the-reload")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"from\":\"world\",\"to\":\"alice\",\"amount\":100,\"currency\":\"EUR\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        awaitLockWaiter(holder);
        int from = service.output().length();
        long firstPid = service.pid();
        CompletableFuture<Reloaded> reload = CompletableFuture.supplyAsync(() -> reloadUnchecked(firstPid));
        long successorPid = Long.parseLong(await(service, "handover: pid (\\d+) is ready and is the service now", from).group(1));
        ProcessHandle successor = ProcessHandle.of(successorPid).orElseThrow();
        try {
            assertThat(reload.get(WITHIN.toSeconds(), TimeUnit.SECONDS).status()).isZero();
            from = service.output().length();
            successor.destroy();
            await(service, "waiting up to [0-9.]+s for the predecessor", from);
            Thread.sleep(1_500);
            assertThat(transfer).as("the transfer waits for the row lock").isNotDone();
            assertThat(running(successor)).as("the successor, stopped, while the old process drains").isTrue();
        } catch (Exception | AssertionError e) {
            successor.destroyForcibly();
            throw e;
        }
        holder.commit();
        return new InFlightAtReload(transfer, successor);
    }

    /** Alive and not a zombie: the old process, its parent, reaps it only when it exits itself. */
    private static boolean running(ProcessHandle process) throws IOException {
        if (!process.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc/%d/stat".formatted(process.pid())));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (NoSuchFileException gone) {
            return false;
        }
    }

    private void openAccounts(int httpPort) throws IOException, InterruptedException {
        assertThat(post(httpPort, "/v1/accounts", "{\"code\":\"world\",\"currency\":\"EUR\",\"allowNegative\":true}")
                .statusCode()).isEqualTo(201);
        assertThat(post(httpPort, "/v1/accounts", "{\"code\":\"alice\",\"currency\":\"EUR\"}").statusCode()).isEqualTo(201);
    }

    private static void awaitLockWaiter(Connection db) throws Exception {
        long end = System.nanoTime() + WITHIN.toNanos();
        while (System.nanoTime() < end) {
            try (Statement statement = db.createStatement();
                    ResultSet row = statement.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")) {
                row.next();
                if (row.getLong(1) > 0) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no transfer waits for the row lock");
    }

    private record Reloaded(int status, String output) {}

    private static Reloaded reload(long pid) throws IOException, InterruptedException {
        Process reload = new ProcessBuilder(ServiceProcess.java(), "-jar", ServiceProcess.jar(), "reload", Long.toString(pid))
                .redirectErrorStream(true).start();
        String output = new String(reload.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Reloaded(reload.waitFor(), output);
    }

    private static Reloaded reloadUnchecked(long pid) {
        try {
            return reload(pid);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first line matching {@code regex} at or after {@code from} in the output of either process (they share it). */
    private static Matcher await(ServiceProcess service, String regex, int from) throws InterruptedException {
        Pattern pattern = Pattern.compile(regex);
        long end = System.nanoTime() + WITHIN.toNanos();
        while (System.nanoTime() < end) {
            Matcher matcher = pattern.matcher(service.output());
            if (matcher.find(from)) {
                return matcher;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no line matching " + regex + ":\n" + service.output());
    }

    /** Where the first match of {@code regex} at or after {@code from} is in the output both processes share; -1 for none. */
    private static int position(ServiceProcess service, String regex, int from) {
        Matcher matcher = Pattern.compile(regex).matcher(service.output());
        return matcher.find(from) ? matcher.start() : -1;
    }

    private long pidAnswering(int adminPort) throws IOException, InterruptedException {
        JsonNode info = JSON.readTree(get(adminPort, "/info").body());
        return info.path("pid").asLong();
    }

    private HttpResponse<String> post(int port, String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

}
