package dev.lastcall.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lastcall.platform.testing.RawHttp;
import dev.lastcall.app.load.LedgerInvariants;
import dev.lastcall.app.load.LoadClients;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
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
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real jar on real PostgreSQL, stopped with SIGTERM and killed with SIGKILL while keep-alive
 * clients move money: DESIGN.md's step 5 (transactions, then the pool) and its consistency
 * invariants, checked in the database. Also the two ways the ledger refuses to start.
 */
class LedgerShutdownIT {

    private static final String CURRENCY = "EUR";
    private static final List<String> ACCOUNTS = IntStream.range(0, 4).mapToObj(i -> "acct-" + i).toList();
    private static final int CLIENTS = 16;
    /** How many transfers the clients must have seen acknowledged before the signal. */
    private static final int ACKNOWLEDGED_BEFORE_SIGNAL = 300;
    private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration EXIT = Duration.ofSeconds(60);
    /** Logback stamps events in whole milliseconds; PostgreSQL's commit timestamps have microseconds. */
    private static final Duration LOG_CLOCK_RESOLUTION = Duration.ofMillis(1);
    private static final String UNREACHABLE_URL = "jdbc:postgresql://127.0.0.1:1/none";
    private static final Pattern STACK_TRACE = Pattern.compile("(?m)^\\s+at |Caused by:|Exception in thread");
    private static final Pattern TRANSFER_ID = Pattern.compile("\"id\":(\\d+)");

    @TempDir
    Path work;

    /**
     * What this proves, and how. From the service's log (every commit logged, wall-clock times):
     * the database component refused new work, saw its open transactions finish, then closed the
     * pool, and no transaction committed after that finish. From the database: the set of
     * transfers equals the set the clients saw acknowledged, so every request in flight at the
     * signal ran to its answer and nothing committed unanswered or was rolled back by a cut; and
     * the last transaction PostgreSQL committed at all (its commit timestamp, cluster-wide, with
     * autovacuum off) committed before the log's "open finished" line, i.e. before the pool began
     * to close. What it cannot prove: that the pool closed at no other moment; the pool is
     * client-side, PostgreSQL sees only its connections end.
     */
    @Test
    void sigtermWithTransfersInFlightExitsZeroAndTheDatabaseHoldsExactlyWhatClientsSawAcknowledged() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                        .setServerConfig("track_commit_timestamp", "on")
                        .setServerConfig("autovacuum", "off")
                        .start();
                ServiceProcess service = ServiceProcess.builder().quiet().label("sigterm").stateDir(work)
                        .jvmOption("-Dlogback.configurationFile=" + testResource("logback-commits.xml"))
                        .env("LASTCALL_DB_URL", "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres")
                        .env("LASTCALL_DB_USER", "postgres")
                        .start().awaitReady()) {
            openAccounts(service.httpPort());
            LoadClients load = LoadClients.start(service.httpPort(), CLIENTS, ACCOUNTS, CURRENCY);
            int status;
            int failuresBeforeSignal;
            try {
                awaitAcknowledged(load, ACKNOWLEDGED_BEFORE_SIGNAL);
                failuresBeforeSignal = load.failures().size();
                service.signal("TERM");
                status = service.awaitExit(EXIT);
            } finally {
                load.close();
            }
            Log log = new Log(service.output());
            System.out.println(log.stopExcerpt());
            System.out.println("client failures after the signal: " + failureKinds(load.failures()));

            assertThat(status).as("exit status").isEqualTo(0);
            assertThat(failuresBeforeSignal).as("client failures before the signal").isZero();
            // Past the listener's close a new connection is refused; a request on a connection still
            // open is answered as usual (with Connection: close), never with a 503 or another failure.
            assertThat(load.failures()).as("answers that would mean a refusal or a cut")
                    .noneMatch(f -> f.what().startsWith("HTTP "));
            Matcher summary = log.find("http [0-9.]+s complete \\((\\d+) requests drained, 0 cut\\).*"
                    + "database [0-9.]+s complete \\(\\d+ transactions finished, 0 rolled back, pool closed\\); exit 0");
            assertThat(Integer.parseInt(summary.group(1))).as("requests in flight at the signal, drained").isPositive();

            int signal = log.first("SIGTERM received");
            int refusing = log.first("transactions: refusing new work");
            int finished = log.first("transactions: \\d+ open finished after");
            int poolClosed = log.first("database: pool closed");
            List<Integer> commits = log.all("transactions: committed on attempt");
            // one commit line per transaction; a transaction commits a batch of transfers (group commit)
            assertThat(commits).as("commit lines").isNotEmpty();
            assertThat(List.of(signal, refusing, finished, poolClosed)).as("signal, refusing, finished, pool closed")
                    .isSorted().doesNotHaveDuplicates();
            assertThat(commits.getLast()).as("the last commit line comes before the drain's end").isLessThan(finished);
            assertThat(log.all("aborting them|abort failed")).as("transactions aborted").isEmpty();

            try (Connection db = DriverManager.getConnection(postgres.getJdbcUrl("postgres", "postgres"))) {
                Instant lastCommit = lastCommitInTheCluster(db);
                LedgerInvariants.Report ledger = LedgerInvariants.check(db, load.acknowledged());
                System.out.println(ledger.summary());
                System.out.printf("last commit in the database %s; drain finished %s; pool closed %s%n",
                        lastCommit, log.time(finished), log.time(poolClosed));

                assertThat(ledger.acknowledged()).isGreaterThanOrEqualTo(ACKNOWLEDGED_BEFORE_SIGNAL);
                assertThat(ledger.violations()).as(ledger.summary()).isEmpty();
                assertThat(ledger.unacknowledgedTransfers()).as("transfers committed but never acknowledged: %s",
                        unacknowledged(db, load)).isZero();
                assertThat(lastCommit).as("the database's last commit against the drain's end in the log")
                        .isBefore(log.time(finished).plus(LOG_CLOCK_RESOLUTION));
            }
        }
    }

    @Test
    void afterSigkillUnderLoadTheRestartedServiceFindsEveryAcknowledgedTransferWholeAndServesAgain() throws Exception {
        Path state = work.resolve("state");
        try {
            Map<String, Long> acknowledged = new HashMap<>();
            Map<String, String> unanswered;
            try (ServiceProcess killed = ServiceProcess.builder().label("killed").stateDir(state).start().awaitReady()) {
                openAccounts(killed.httpPort());
                LoadClients load = LoadClients.start(killed.httpPort(), CLIENTS, ACCOUNTS, CURRENCY);
                try {
                    awaitAcknowledged(load, ACKNOWLEDGED_BEFORE_SIGNAL);
                    killed.signal("KILL");
                    assertThat(killed.awaitExit(EXIT)).as("exit status of a killed JVM").isEqualTo(128 + 9);
                } finally {
                    load.close();
                }
                acknowledged.putAll(load.acknowledged());
                unanswered = load.unanswered();
            }

            try (ServiceProcess restarted = ServiceProcess.builder().label("restarted").stateDir(state).start().awaitReady();
                    Connection db = DriverManager.getConnection(embeddedJdbcUrl(restarted), "postgres", "")) {
                LedgerInvariants.Report afterKill = LedgerInvariants.check(db, acknowledged);
                System.out.println("after the kill: " + afterKill.summary() + "; " + unanswered.size() + " unanswered");
                assertThat(afterKill.acknowledged()).isGreaterThanOrEqualTo(ACKNOWLEDGED_BEFORE_SIGNAL);
                assertThat(afterKill.violations()).as(afterKill.summary()).isEmpty();

                // What the killed process never answered, sent again with its key: the first answer
                // replayed if it committed, applied now if it did not; once either way.
                Set<String> committedBeforeTheKill = storedReferences(db, unanswered.keySet());
                for (Map.Entry<String, String> retry : unanswered.entrySet()) {
                    try (RawHttp http = RawHttp.open(restarted.httpPort())) {
                        RawHttp.Response response = http.send(retry.getValue()).read();
                        assertThat(response.status()).as(response.body()).isEqualTo(201);
                        assertThat("true".equals(response.header("Idempotent-Replayed")))
                                .as("replayed, for a key the database had before the retry")
                                .isEqualTo(committedBeforeTheKill.contains(retry.getKey()));
                        acknowledged.put(retry.getKey(), transferId(response.body()));
                    }
                }

                LoadClients again = LoadClients.start(restarted.httpPort(), 4, ACCOUNTS, CURRENCY);
                try {
                    awaitAcknowledged(again, 50);
                } finally {
                    again.close();
                }
                assertThat(again.failures()).as("client failures after the restart").isEmpty();
                acknowledged.putAll(again.acknowledged());
                LedgerInvariants.Report afterRestart = LedgerInvariants.check(db, acknowledged);
                System.out.println("after the restart: " + afterRestart.summary());
                assertThat(afterRestart.violations()).as(afterRestart.summary()).isEmpty();

                restarted.signal("TERM");
                assertThat(restarted.awaitExit(EXIT)).isEqualTo(0);
            }
        } finally {
            // the killed jar's PostgreSQL: the restart stops it, but not if the test failed first
            ServiceProcess.stopLeftoverPostgres(state);
        }
    }

    /**
     * A SIGKILL while a batch of the group commit is open: the batch has taken its transfers'
     * keys and waits for an account row the test holds locked. Nothing of any transfer in it may
     * stay, and each, sent again with its key to the next process, applies once as a first answer.
     */
    @Test
    void aSigkillMidBatchLeavesNothingOfItsTransfersAndTheirRetriesApplyOnce() throws Exception {
        int transfers = 6;
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setRegisterShutdownHook(false).start();
                Connection db = DriverManager.getConnection(postgres.getJdbcUrl("postgres", "postgres"));
                Connection holder = DriverManager.getConnection(postgres.getJdbcUrl("postgres", "postgres"))) {
            String url = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
            Map<String, String> requests = new HashMap<>();
            List<RawHttp> waiting = new ArrayList<>();
            try (ServiceProcess killed = ServiceProcess.builder().quiet().label("killed-mid-batch").stateDir(work.resolve("a"))
                    .env("LASTCALL_DB_URL", url).env("LASTCALL_DB_USER", "postgres").start().awaitReady()) {
                openAccounts(killed.httpPort());
                holder.setAutoCommit(false);
                try (Statement lock = holder.createStatement()) {
                    lock.executeQuery("SELECT 1 FROM ledger_account WHERE code = 'world' FOR UPDATE").close();
                }
                for (int i = 0; i < transfers; i++) {
                    String key = "mid-batch-" + i;
                    String body = "{\"from\":\"world\",\"to\":\"%s\",\"amount\":%d,\"currency\":\"%s\",\"reference\":\"%s\"}"
                            .formatted(ACCOUNTS.get(i % ACCOUNTS.size()), 10 + i, CURRENCY, key);
                    requests.put(key, "POST /v1/transfers HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                            + "Idempotency-Key: " + key + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
                    waiting.add(RawHttp.open(killed.httpPort()).send(requests.get(key)));
                }
                await().atMost(LOAD_TIMEOUT).until(() -> backendsWaitingForALock(db) > 0);
                killed.signal("KILL");
                assertThat(killed.awaitExit(EXIT)).as("exit status of a killed JVM").isEqualTo(128 + 9);
            } finally {
                for (RawHttp connection : waiting) {
                    connection.close();
                }
            }
            holder.commit();

            await().atMost(LOAD_TIMEOUT).until(() -> backendsWaitingForALock(db) == 0);
            assertThat(storedReferences(db, requests.keySet())).as("transfers of the killed batch in the ledger").isEmpty();
            assertThat(count(db, "SELECT count(*) FROM ledger_idempotency_key WHERE idempotency_key LIKE 'mid-batch-%'"))
                    .as("keys of the killed batch").isZero();
            Map<String, Long> acknowledged = new HashMap<>();
            try (ServiceProcess next = ServiceProcess.builder().quiet().label("after-mid-batch").stateDir(work.resolve("b"))
                    .env("LASTCALL_DB_URL", url).env("LASTCALL_DB_USER", "postgres").start().awaitReady()) {
                for (Map.Entry<String, String> retry : requests.entrySet()) {
                    try (RawHttp http = RawHttp.open(next.httpPort())) {
                        RawHttp.Response response = http.send(retry.getValue()).read();
                        assertThat(response.status()).as(response.body()).isEqualTo(201);
                        assertThat(response.header("Idempotent-Replayed")).as("a replay header").isNull();
                        acknowledged.put(retry.getKey(), transferId(response.body()));
                    }
                }
                next.signal("TERM");
                assertThat(next.awaitExit(EXIT)).isEqualTo(0);
            }
            LedgerInvariants.Report ledger = LedgerInvariants.check(db, acknowledged);
            assertThat(ledger.violations()).as(ledger.summary()).isEmpty();
            assertThat(ledger.acknowledged()).isEqualTo(transfers);
        }
    }

    private static long backendsWaitingForALock(Connection db) throws SQLException {
        return count(db, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'");
    }

    private static long count(Connection db, String sql) throws SQLException {
        try (Statement statement = db.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    @Test
    void anUnreachableDatabaseFailsTheStartQuicklyWithOneLineNamingTheUrlAndStatusThree() throws Exception {
        Duration connectTimeout = Duration.ofSeconds(1);
        long begin = System.nanoTime();
        try (ServiceProcess service = ServiceProcess.builder().stateDir(work)
                .env("LASTCALL_DB_URL", UNREACHABLE_URL)
                .env("LASTCALL_DB_CONNECT_TIMEOUT", connectTimeout.toSeconds() + "s")
                .start()) {
            int status = service.awaitExit(EXIT);
            Duration took = Duration.ofNanos(System.nanoTime() - begin);

            assertThat(status).isEqualTo(3);
            assertThat(took).as("from java -jar to exit").isLessThan(connectTimeout.plusSeconds(9));
            assertThat(service.output().lines().filter(l -> l.contains("start failed: database unreachable at " + UNREACHABLE_URL + ": ")))
                    .as("the line that says why").hasSize(1);
            assertThat(service.output()).doesNotContainPattern(STACK_TRACE).doesNotContain("ready in").contains("; exit 3");
        }
    }

    @Test
    void listeningBeyondLoopbackWithoutApiTokensIsRefusedWithStatusTwoNamingTheKey() throws Exception {
        try (ServiceProcess service = ServiceProcess.builder().stateDir(work).env("LASTCALL_HTTP_HOST", "0.0.0.0").start()) {
            assertThat(service.awaitExit(EXIT)).isEqualTo(2);
            assertThat(service.output()).contains("api.tokens").contains("LASTCALL_API_TOKENS").contains("0.0.0.0")
                    .doesNotContainPattern(STACK_TRACE)
                    .as("nothing started before the configuration was checked").doesNotContain("database: starting");
        }
    }

    @Test
    void anAdminPortBeyondLoopbackWithoutAdminTokensIsRefusedWithStatusTwoNamingTheKey() throws Exception {
        try (ServiceProcess service = ServiceProcess.builder().stateDir(work).env("LASTCALL_ADMIN_HOST", "0.0.0.0").start()) {
            assertThat(service.awaitExit(EXIT)).isEqualTo(2);
            assertThat(service.output()).contains("admin.tokens").contains("LASTCALL_ADMIN_TOKENS").contains("0.0.0.0")
                    .doesNotContainPattern(STACK_TRACE)
                    .as("nothing started before the configuration was checked").doesNotContain("database: starting");
        }
    }

    /** The service's output as lines, with the positions and times the assertions need. */
    private record Log(List<String> lines) {

        Log(String output) {
            this(output.lines().toList());
        }

        int first(String regex) {
            List<Integer> found = all(regex);
            assertThat(found).as("a line matching " + regex).isNotEmpty();
            return found.getFirst();
        }

        List<Integer> all(String regex) {
            Pattern pattern = Pattern.compile(regex);
            return IntStream.range(0, lines.size()).filter(i -> pattern.matcher(lines.get(i)).find()).boxed().toList();
        }

        Matcher find(String regex) {
            Matcher matcher = Pattern.compile(regex).matcher(lines.get(first(regex)));
            assertThat(matcher.find()).isTrue();
            return matcher;
        }

        /** The wall-clock time logback stamped on line {@code index} (its first field in logback-commits.xml). */
        Instant time(int index) {
            return OffsetDateTime.parse(lines.get(index).substring(0, lines.get(index).indexOf(' '))).toInstant();
        }

        /** From the signal on, without the commit lines (counted instead). */
        String stopExcerpt() {
            List<String> fromSignal = lines.subList(Math.max(0, first("SIGTERM received")), lines.size());
            long commits = fromSignal.stream().filter(l -> l.contains("transactions: committed on attempt")).count();
            return fromSignal.stream().filter(l -> !l.contains("transactions: committed on attempt"))
                    .collect(Collectors.joining("\n", "", "\n(" + commits + " commit lines after the signal not shown)"));
        }
    }

    private static Map<String, Long> failureKinds(List<LoadClients.Failure> failures) {
        return failures.stream().collect(Collectors.groupingBy(
                f -> f.what().length() > 40 ? f.what().substring(0, 40) : f.what(), Collectors.counting()));
    }

    private static Instant lastCommitInTheCluster(Connection db) throws SQLException {
        try (Statement sql = db.createStatement();
                ResultSet row = sql.executeQuery("SELECT timestamp FROM pg_last_committed_xact()")) {
            row.next();
            return row.getObject(1, OffsetDateTime.class).toInstant();
        }
    }

    /** Each transfer no client saw acknowledged: its commit time, and whether its request went unanswered. */
    private static List<String> unacknowledged(Connection db, LoadClients load) throws SQLException {
        Map<String, Long> acknowledged = load.acknowledged();
        Map<String, String> unanswered = load.unanswered();
        List<String> found = new java.util.ArrayList<>();
        try (Statement sql = db.createStatement();
                ResultSet rows = sql.executeQuery("SELECT reference, id, pg_xact_commit_timestamp(xmin) FROM ledger_transfer")) {
            while (rows.next()) {
                String key = rows.getString(1);
                if (!acknowledged.containsKey(key)) {
                    found.add("transfer %d committed at %s, its request %s".formatted(rows.getLong(2),
                            rows.getObject(3, OffsetDateTime.class).toInstant(),
                            unanswered.containsKey(key) ? "unanswered" : "answered with an error"));
                }
            }
        }
        return found;
    }

    private static Set<String> storedReferences(Connection db, Set<String> references) throws SQLException {
        Set<String> stored = new HashSet<>();
        try (var select = db.prepareStatement("SELECT reference FROM ledger_transfer WHERE reference = ANY (?)")) {
            select.setArray(1, db.createArrayOf("text", references.toArray()));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    stored.add(rows.getString(1));
                }
            }
        }
        return stored;
    }

    private static long transferId(String body) {
        Matcher id = TRANSFER_ID.matcher(body);
        assertThat(id.find()).as("a transfer id in " + body).isTrue();
        return Long.parseLong(id.group(1));
    }

    private static String embeddedJdbcUrl(ServiceProcess service) throws InterruptedException {
        return service.awaitLine("embedded PostgreSQL at (jdbc:postgresql://\\S+),", Duration.ofSeconds(5)).group(1);
    }

    private static void awaitAcknowledged(LoadClients load, int transfers) {
        await().atMost(LOAD_TIMEOUT).pollInterval(Duration.ofMillis(50))
                .until(() -> load.acknowledged().size() >= transfers || !load.failures().isEmpty());
        assertThat(load.failures()).as("client failures under load").isEmpty();
    }

    private static void openAccounts(int port) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        post(http, port, "{\"code\":\"world\",\"currency\":\"%s\",\"allowNegative\":true}".formatted(CURRENCY));
        for (String account : ACCOUNTS) {
            post(http, port, "{\"code\":\"%s\",\"currency\":\"%s\"}".formatted(account, CURRENCY));
        }
    }

    private static void post(HttpClient http, int port, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/accounts"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    private static String testResource(String name) {
        return Path.of(System.getProperty("lastcall.testClasses"), name).toString();
    }
}
