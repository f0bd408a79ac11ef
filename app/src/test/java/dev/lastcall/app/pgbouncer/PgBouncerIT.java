package dev.lastcall.app.pgbouncer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lastcall.app.ServiceProcess;
import dev.lastcall.app.load.LedgerInvariants;
import dev.lastcall.app.load.LoadClients;
import dev.lastcall.app.load.WebhookReceiver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole service through a real PgBouncer in transaction pooling mode: two instances migrate an
 * empty database at the same moment, transfers with the same Idempotency-Key race each other over
 * many connections and both instances, both serve load before and after one restarts, and every event
 * reaches a webhook. PgBouncer's pool is smaller than the two instances' pools together and hands
 * server connections out round-robin, so any session state the service leaned on would be found.
 */
class PgBouncerIT {

    private static final String CURRENCY = "EUR";
    private static final List<String> ACCOUNTS = IntStream.range(0, 4).mapToObj(i -> "pgb-" + i).toList();
    private static final int POOL_SIZE = 4;
    /** Fewer server connections than the two pools hold client connections (2 x 4). */
    private static final int PGBOUNCER_POOL = 6;
    private static final int RACING_KEYS = 12;
    private static final int RACERS_PER_KEY = 8;
    private static final Duration LOAD = Duration.ofSeconds(4);
    private static final Duration EVENTS_DELIVERED_WITHIN = Duration.ofSeconds(60);
    private static final Pattern TRANSFER_ID = Pattern.compile("\"id\":(\\d+)");

    @TempDir
    Path work;

    @Test
    void theServiceWorksWholeThroughPgBouncerInTransactionMode() throws Exception {
        assumeTrue(PgBouncer.installed(), "pgbouncer is not installed at " + PgBouncer.BINARY
                + ": .ci/run installs it (apt-get install -y pgbouncer)");
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                        .setDataDirectory(work.resolve("postgres")).setCleanDataDirectory(true).start();
                PgBouncer pgbouncer = PgBouncer.start(postgres.getPort(), "postgres", PGBOUNCER_POOL);
                WebhookReceiver receiver = WebhookReceiver.start();
                Connection direct = DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres", "postgres", "")) {
            String url = pgbouncer.jdbcUrl("postgres");
            // Both migrate the empty database at once: one waits for the other's lock, then finds the work done.
            ServiceProcess a = service("a", url).start();
            ServiceProcess b = service("b", url).start();
            try {
                awaitReady(a, pgbouncer);
                awaitReady(b, pgbouncer);
                assertThat(schemaVersions(direct)).as("migrations applied once each").doesNotHaveDuplicates().isNotEmpty();

                prepare(a.httpPort(), receiver);
                Map<String, Long> acknowledged = new ConcurrentHashMap<>(racingTransfersWithTheSameKeys(List.of(a, b)));

                LoadClients loadA = LoadClients.start(a.httpPort(), 3, ACCOUNTS, CURRENCY);
                LoadClients loadB = LoadClients.start(b.httpPort(), 3, ACCOUNTS, CURRENCY);
                Thread.sleep(LOAD.dividedBy(2));
                loadA.close();
                loadB.close();
                // Restarted without load: on a shared machine a JVM starting under load may miss the fixture's start timeout.
                a.signal("TERM");
                assertThat(a.awaitExit(Duration.ofSeconds(60))).as("exit status of the stopped instance").isZero();
                a = service("a-again", url).start();
                awaitReady(a, pgbouncer);
                LoadClients loadAgain = LoadClients.start(a.httpPort(), 3, ACCOUNTS, CURRENCY);
                LoadClients loadBAgain = LoadClients.start(b.httpPort(), 3, ACCOUNTS, CURRENCY);
                Thread.sleep(LOAD.dividedBy(2));
                loadAgain.close();
                loadBAgain.close();
                for (LoadClients load : List.of(loadA, loadB, loadAgain, loadBAgain)) {
                    assertThat(load.failures()).as("failures seen by the load's clients\n%s", pgbouncer.log()).isEmpty();
                    acknowledged.putAll(load.acknowledged());
                }
                assertThat(loadAgain.acknowledged()).as("transfers acknowledged by the restarted instance").isNotEmpty();

                LedgerInvariants.Report ledger = LedgerInvariants.check(direct, acknowledged);
                assertThat(ledger.violations()).as("ledger invariants (%s)", ledger.summary()).isEmpty();
                assertThat(eventsNotDelivered(direct, receiver)).as("events not delivered to the webhook").isEmpty();
                assertThat(advisoryLocksHeld(direct)).as("advisory locks left behind on server connections").isZero();
                for (ServiceProcess service : List.of(a, b)) {
                    service.signal("TERM");
                    assertThat(service.awaitExit(Duration.ofSeconds(60))).as("exit status").isZero();
                    assertThat(service.output()).doesNotContain("ERROR").doesNotContain("prepared statement");
                }
            } finally {
                a.close();
                b.close();
            }
        }
    }

    private ServiceProcess.Builder service(String label, String url) {
        return ServiceProcess.builder().label(label)
                .env("LASTCALL_DB_URL", url)
                .env("LASTCALL_DB_USER", "postgres")
                .env("LASTCALL_DB_POOL_SIZE", Integer.toString(POOL_SIZE))
                .env("LASTCALL_DB_TRANSACTION_POOLING", "true")
                .env("LASTCALL_HTTP_ACCESS_LOG", "false")
                .env("LASTCALL_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "true")
                .env("LASTCALL_WEBHOOKS_RETRY_BASE_DELAY", "1s")
                .env("LASTCALL_WEBHOOKS_POLL_INTERVAL", "200ms");
    }

    private static void awaitReady(ServiceProcess service, PgBouncer pgbouncer) throws Exception {
        try {
            service.awaitReady();
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\npgbouncer's log:\n" + pgbouncer.log(), e);
        }
    }

    /**
     * For each key, {@link #RACERS_PER_KEY} clients on connections of their own, half on each
     * instance, send the same transfer at once; a client told the key is in use tries again. All
     * must end with the same transfer, applied once. Idempotency-Key → transfer id.
     */
    private static Map<String, Long> racingTransfersWithTheSameKeys(List<ServiceProcess> instances) throws Exception {
        Map<String, Long> acknowledged = new HashMap<>();
        try (ExecutorService racers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int k = 0; k < RACING_KEYS; k++) {
                String key = "race-" + k;
                String body = "{\"from\":\"world\",\"to\":\"%s\",\"amount\":%d,\"currency\":\"%s\",\"reference\":\"%s\"}"
                        .formatted(ACCOUNTS.get(k % ACCOUNTS.size()), 100 + k, CURRENCY, key);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Long>> answers = new ArrayList<>();
                for (int r = 0; r < RACERS_PER_KEY; r++) {
                    int port = instances.get(r % instances.size()).httpPort();
                    answers.add(racers.submit(() -> {
                        go.await();
                        return transferUntilAnswered(port, key, body);
                    }));
                }
                go.countDown();
                Set<Long> ids = new HashSet<>();
                for (Future<Long> answer : answers) {
                    ids.add(answer.get());
                }
                assertThat(ids).as("transfer ids the racers of %s were given", key).hasSize(1);
                acknowledged.put(key, ids.iterator().next());
            }
        }
        return acknowledged;
    }

    private static long transferUntilAnswered(int port, String key, String body) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            for (int attempt = 1; ; attempt++) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/transfers"))
                        .header("Content-Type", "application/json").header("Idempotency-Key", key)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 409 && response.body().contains("idempotency_key_in_use") && attempt < 100) {
                    Thread.sleep(20);
                    continue;
                }
                assertThat(response.statusCode()).as("answer to %s: %s", key, response.body()).isEqualTo(201);
                Matcher id = TRANSFER_ID.matcher(response.body());
                assertThat(id.find()).as("transfer id in %s", response.body()).isTrue();
                return Long.parseLong(id.group(1));
            }
        }
    }

    private static void prepare(int port, WebhookReceiver receiver) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            post(http, port, "/v1/accounts", "{\"code\":\"world\",\"currency\":\"%s\",\"allowNegative\":true}".formatted(CURRENCY));
            for (String account : ACCOUNTS) {
                post(http, port, "/v1/accounts", "{\"code\":\"%s\",\"currency\":\"%s\"}".formatted(account, CURRENCY));
            }
            post(http, port, "/v1/webhooks", "{\"url\":\"%s\",\"events\":[\"transfer.created\"]}".formatted(receiver.url()));
        }
    }

    private static void post(HttpClient http, int port, String path, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("POST %s: %s", path, response.body()).isEqualTo(201);
    }

    private static List<String> schemaVersions(Connection db) throws SQLException {
        List<String> versions = new ArrayList<>();
        try (Statement sql = db.createStatement();
                ResultSet rows = sql.executeQuery("SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL")) {
            while (rows.next()) {
                versions.add(rows.getString(1));
            }
        }
        return versions;
    }

    private static Set<String> eventsNotDelivered(Connection db, WebhookReceiver receiver) throws Exception {
        long deadline = System.nanoTime() + EVENTS_DELIVERED_WITHIN.toNanos();
        while (true) {
            Set<String> missing = new HashSet<>();
            try (Statement sql = db.createStatement();
                    ResultSet rows = sql.executeQuery("SELECT event_id::text FROM outbox_events")) {
                while (rows.next()) {
                    missing.add(rows.getString(1));
                }
            }
            missing.removeAll(receiver.ids());
            if (missing.isEmpty() || System.nanoTime() > deadline) {
                return missing;
            }
            Thread.sleep(200);
        }
    }

    private static long advisoryLocksHeld(Connection db) throws SQLException {
        try (Statement sql = db.createStatement();
                ResultSet row = sql.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")) {
            row.next();
            return row.getLong(1);
        }
    }
}
