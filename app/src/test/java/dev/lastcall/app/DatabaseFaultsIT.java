package dev.lastcall.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.lastcall.app.load.LedgerInvariants;
import dev.lastcall.app.load.LoadClients;
import dev.lastcall.platform.testing.RawHttp;
import dev.lastcall.platform.testing.RestartablePostgres;
import dev.lastcall.platform.testing.RestartablePostgres.Mode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real jar on a real PostgreSQL of the test's own that is stopped, restarted (fast and
 * immediate) and has its backends terminated: clients see 2xx or 503 with {@code Retry-After},
 * never a 500, and the books stay whole. Prints the outage figures of the README.
 */
class DatabaseFaultsIT {

    private static final String CURRENCY = "EUR";
    private static final List<String> ACCOUNTS = IntStream.range(0, 4).mapToObj(i -> "acct-" + i).toList();
    private static final int CLIENTS = 8;
    private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(60);
    /** The pool's connect timeout, long on purpose: an answer well before it did not wait for it. */
    private static final String CONNECT_TIMEOUT = "30s";

    @TempDir
    Path work;

    private RestartablePostgres postgres;
    private ServiceProcess service;

    @BeforeEach
    void start() throws Exception {
        assumeThat(RestartablePostgres.installed()).as("PostgreSQL binaries in " + RestartablePostgres.BIN).isTrue();
        postgres = RestartablePostgres.start();
        service = ServiceProcess.builder().quiet().label("faults").stateDir(work)
                .env("LASTCALL_DB_URL", postgres.jdbcUrl("postgres"))
                .env("LASTCALL_DB_USER", RestartablePostgres.USER)
                .env("LASTCALL_DB_CONNECT_TIMEOUT", CONNECT_TIMEOUT)
                .start().awaitReady();
        openAccounts();
    }

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void whileTheDatabaseIsDownRequestsAre503AtOnceReadinessSaysSoAndItRecoversByItself() throws Exception {
        assertThat(transfer("before").status()).isEqualTo(201);

        postgres.stopServer(Mode.FAST);
        List<Long> refusals = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long begin = System.nanoTime();
            RawHttp.Response refused = transfer("during-" + i);
            refusals.add(System.nanoTime() - begin);
            assertThat(refused.status()).as(refused.body()).isEqualTo(503);
            assertThat(refused.header("content-type")).startsWith("application/problem+json");
            assertThat(refused.header("retry-after")).isEqualTo("1");
            assertThat(refused.body()).contains("\"code\":\"database_unavailable\"").doesNotContain("Exception");
        }
        RawHttp.Response ready = RawHttp.get(service.adminPort(), "/health/ready");
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.body()).contains("\"status\":\"database_down\"", "\"unreachableSince\"");

        postgres.startServer();
        long accepting = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> transfer("after-" + System.nanoTime()).status() == 201);
        long recovered = System.nanoTime() - accepting;
        assertThat(RawHttp.get(service.adminPort(), "/health/ready").status()).isEqualTo(200);

        String log = service.output();
        assertThat(log.lines().filter(l -> l.contains("database: unreachable"))).hasSize(1);
        assertThat(log.lines().filter(l -> l.contains("database: reachable again"))).hasSize(1);
        assertThat(log.lines().filter(l -> l.contains(" ERROR "))).isEmpty();
        List<Long> sorted = refusals.stream().sorted().toList();
        System.out.printf("outage figures (process): 503 in %.1f ms (first %.1f ms, max %.1f ms) while down; "
                        + "first 201 %.0f ms after PostgreSQL accepted connections%n",
                sorted.get(sorted.size() / 2) / 1e6, refusals.getFirst() / 1e6, sorted.getLast() / 1e6, recovered / 1e6);
    }

    @Test
    void aStopDuringAnOutageEndsAtOnce() throws Exception {
        postgres.stopServer(Mode.IMMEDIATE);
        await().atMost(Duration.ofSeconds(10)).until(() -> transfer("during").status() == 503);
        // Let the jobs tick and the pool try again, as they would in a real outage.
        Thread.sleep(1_500);

        long begin = System.nanoTime();
        service.signal("TERM");
        int status = service.awaitExit(Duration.ofSeconds(60));
        long stopped = System.nanoTime() - begin;
        System.out.printf("outage figures (process): SIGTERM to exit during the outage %.0f ms%n", stopped / 1e6);
        service.output().lines().filter(l -> l.contains("SIGTERM") || l.contains("stopped in") || l.contains("pool closed"))
                .forEach(System.out::println);
        assertThat(status).as(service.output()).isZero();
        assertThat(Duration.ofNanos(stopped)).as("no connect timeout waited").isLessThan(Duration.ofSeconds(10));
        assertThat(service.output().lines().filter(l -> l.contains("job") && l.contains("WARN"))).isEmpty();
    }

    @Test
    void underLoadRestartsAndTerminatedBackendsAnswerOnly503sAndTheBooksStayWhole() throws Exception {
        LoadClients load = LoadClients.start(service.httpPort(), CLIENTS, ACCOUNTS, CURRENCY);
        try {
            awaitAcknowledged(load, 100);
            postgres.restart(Mode.FAST);
            awaitAcknowledged(load, load.acknowledged().size() + 100);
            postgres.restart(Mode.IMMEDIATE);
            awaitAcknowledged(load, load.acknowledged().size() + 100);
            assertThat(postgres.terminateBackends("lastcall")).isPositive();
            awaitAcknowledged(load, load.acknowledged().size() + 100);
        } finally {
            load.close();
        }
        System.out.printf("under load: %d requests, %d acknowledged transfers, failures: %s%n", load.requests(),
                load.acknowledged().size(), load.failures().stream()
                        .map(f -> f.what().replaceAll("(HTTP \\d+).*\"code\":\"([a-z_]+)\".*", "$1 $2"))
                        .collect(java.util.stream.Collectors.groupingBy(s -> s, java.util.stream.Collectors.counting())));
        assertThat(load.failures()).as("only 503 problems, never a 500 nor a broken connection")
                .allMatch(f -> f.what().startsWith("HTTP 503 ") && f.what().contains("\"code\":\""));
        assertThat(service.output().lines().filter(l -> l.contains(" ERROR "))).isEmpty();
        try (Connection db = postgres.connect("postgres")) {
            LedgerInvariants.Report ledger = LedgerInvariants.check(db, load.acknowledged());
            System.out.println(ledger.summary());
            assertThat(ledger.violations()).as(ledger.summary()).isEmpty();
        }
    }

    private RawHttp.Response transfer(String key) throws Exception {
        String body = "{\"from\":\"world\",\"to\":\"acct-0\",\"amount\":1,\"currency\":\"EUR\",\"reference\":\"%s\"}".formatted(key);
        return RawHttp.exchange(service.httpPort(),
                "POST /v1/transfers HTTP/1.1\r\nContent-Type: application/json\r\nIdempotency-Key: " + key,
                body.getBytes(StandardCharsets.UTF_8));
    }

    private void openAccounts() throws Exception {
        post("{\"code\":\"world\",\"currency\":\"%s\",\"allowNegative\":true}".formatted(CURRENCY));
        for (String account : ACCOUNTS) {
            post("{\"code\":\"%s\",\"currency\":\"%s\"}".formatted(account, CURRENCY));
        }
    }

    private void post(String body) throws Exception {
        RawHttp.Response response = RawHttp.exchange(service.httpPort(),
                "POST /v1/accounts HTTP/1.1\r\nContent-Type: application/json", body.getBytes(StandardCharsets.UTF_8));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
    }

    private static void awaitAcknowledged(LoadClients load, int count) {
        await().atMost(LOAD_TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> load.acknowledged().size() >= count);
    }
}
