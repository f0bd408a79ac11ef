package dev.lastcall.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastcall.ledger.Api.Reply;
import dev.lastcall.platform.testing.TestService;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Group commit, seen from outside: transfers sent together by separate clients are applied in one
 * transaction (the same {@code xmin} on their rows proves it), each decided on its own. One
 * service waits {@value #GATHER} for a batch to fill, so that requests sent at once are one batch;
 * a second service shares its database with the shipped defaults, for two instances at once.
 */
class GroupCommitIT {

    private static final String GATHER = "400ms";
    private static final ExecutorService CLIENTS = Executors.newVirtualThreadPerTaskExecutor();

    private static EmbeddedPostgres postgres;
    private static TestService gathering;
    private static TestService other;
    private static Api api;
    private static Api otherApi;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().setRegisterShutdownHook(false).start();
        String url = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
        gathering = TestService.builder().module(LedgerModule::new)
                .env("LASTCALL_DB_URL", url).env("LASTCALL_DB_USER", "postgres")
                .env("LASTCALL_LEDGER_BATCH_MAX_DELAY", GATHER)
                .start();
        other = TestService.builder().module(LedgerModule::new)
                .env("LASTCALL_DB_URL", url).env("LASTCALL_DB_USER", "postgres")
                .start();
        api = new Api(gathering::uri);
        otherApi = new Api(other::uri);
    }

    @AfterAll
    static void stop() throws Exception {
        CLIENTS.shutdownNow();
        for (AutoCloseable closing : new AutoCloseable[] {gathering, other, postgres}) {
            if (closing != null) {
                closing.close();
            }
        }
    }

    @Test
    void aBatchWithMixedOutcomesAppliesTheGoodOnesAndRefusesEachBadOneAlone() throws Exception {
        String world = LedgerApiIT.unique("world");
        String alice = LedgerApiIT.unique("alice");
        String bob = LedgerApiIT.unique("bob");
        String dollars = LedgerApiIT.unique("dollars");
        api.openAccount(world, "EUR", true);
        api.openAccount(alice, "EUR", false);
        api.openAccount(bob, "EUR", false);
        api.openAccount(dollars, "USD", false);
        assertThat(api.transfer(world, alice, 100, "EUR").status()).isEqualTo(201);
        List<Sent> sent = List.of(new Sent(world, bob, 50, "EUR"), new Sent(alice, bob, 1_000, "EUR"),
                new Sent(alice, LedgerApiIT.unique("nobody"), 10, "EUR"), new Sent(alice, dollars, 10, "EUR"),
                new Sent(alice, bob, 30, "EUR"), new Sent(bob, bob, 5, "EUR"));
        long batchesBefore = batches().count();

        List<Reply> replies = atOnce(sent.stream().<Callable<Reply>>map(transfer -> () -> transfer.to(api)).toList());

        assertThat(replies.get(0).status()).as(replies.get(0).body()).isEqualTo(201);
        assertThat(replies.get(1).problem(409)).isEqualTo("insufficient_funds");
        assertThat(replies.get(2).problem(422)).isEqualTo("account_not_found");
        assertThat(replies.get(3).problem(422)).isEqualTo("currency_mismatch");
        assertThat(replies.get(4).status()).as(replies.get(4).body()).isEqualTo(201);
        assertThat(replies.get(5).problem(422)).isEqualTo("same_account");
        assertThat(batches().count() - batchesBefore).as("batches committed").isEqualTo(1);
        assertThat(transactionsOfKeys(sent.stream().map(Sent::key).toList()))
                .as("transactions that wrote the six keys").hasSize(1);
        assertThat(api.balance(bob)).isEqualTo(80);
        assertThat(api.balance(alice)).isEqualTo(70);
        assertThat(api.balance(world)).isEqualTo(-150);
        for (int i = 0; i < sent.size(); i++) {
            Reply again = sent.get(i).to(api);
            assertThat(again.status()).as("the replay of %s", sent.get(i)).isEqualTo(replies.get(i).status());
            assertThat(again.body()).isEqualTo(replies.get(i).body());
        }
    }

    /** A transfer request with a key of its own, to send (and send again). */
    private record Sent(String key, String from, String to, long amount, String currency) {
        Sent(String from, String to, long amount, String currency) {
            this(Api.newKey(), from, to, amount, currency);
        }

        Reply to(Api api) {
            return api.transfer(key, from, to, amount, currency);
        }
    }

    @Test
    void theSameKeyTwiceInOneBatchAppliesOnceAndTheOthersGetItsAnswer() throws Exception {
        String world = LedgerApiIT.unique("world");
        String bob = LedgerApiIT.unique("bob");
        api.openAccount(world, "EUR", true);
        api.openAccount(bob, "EUR", false);
        String key = Api.newKey();
        long batchesBefore = batches().count();

        List<Reply> replies = atOnce(List.of(
                () -> api.transfer(key, world, bob, 25, "EUR"),
                () -> api.transfer(key, world, bob, 25, "EUR"),
                () -> api.transfer(key, world, bob, 25, "EUR"),
                () -> api.transfer(key, world, bob, 99, "EUR")));

        assertThat(batches().count() - batchesBefore).as("batches committed").isEqualTo(1);
        List<Reply> fresh = replies.stream()
                .filter(r -> r.status() == 201 && r.header("Idempotent-Replayed").isEmpty()).toList();
        assertThat(fresh).as("first answers").hasSize(1);
        long amount = fresh.getFirst().json().path("amount").asLong();
        for (Reply reply : replies) {
            if (reply == fresh.getFirst()) {
                continue;
            }
            if (reply.status() == 201) {
                assertThat(reply.header("Idempotent-Replayed")).hasValue("true");
                assertThat(reply.body()).isEqualTo(fresh.getFirst().body());
            } else {
                assertThat(reply.problem(422)).isEqualTo("idempotency_key_reused");
            }
        }
        assertThat(replies.stream().filter(r -> r.status() == 201)).as("answers with the transfer")
                .hasSize(amount == 25 ? 3 : 1);
        assertThat(api.balance(bob)).isEqualTo(amount);
        assertThat(count("SELECT count(*) FROM outbox_events WHERE payload ->> 'to' = ?", bob)).isEqualTo(1);
    }

    @Test
    void aTransferThatCannotBeWrittenFailsAloneAndTheRestOfItsBatchCommits() throws Exception {
        String world = LedgerApiIT.unique("world");
        String bob = LedgerApiIT.unique("bob");
        api.openAccount(world, "EUR", true);
        api.openAccount(bob, "EUR", false);
        String refusedKey = "refused-" + Api.newKey();
        execute("""
                CREATE OR REPLACE FUNCTION test_refuse_batch_key() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.idempotency_key LIKE 'refused-%' THEN
                        RAISE EXCEPTION 'refused by the test';
                    END IF;
                    RETURN NEW;
                END $$;
                CREATE OR REPLACE TRIGGER test_refuse_batch_key BEFORE INSERT ON ledger_idempotency_key
                FOR EACH ROW EXECUTE FUNCTION test_refuse_batch_key();""");
        try {
            List<Reply> replies = atOnce(List.of(
                    () -> api.transfer(Api.newKey(), world, bob, 1, "EUR"),
                    () -> api.transfer(refusedKey, world, bob, 10, "EUR"),
                    () -> api.transfer(Api.newKey(), world, bob, 100, "EUR")));

            assertThat(replies.get(0).status()).isEqualTo(201);
            assertThat(replies.get(1).problem(500)).isEqualTo("internal_error");
            assertThat(replies.get(2).status()).isEqualTo(201);
            assertThat(api.balance(bob)).isEqualTo(101);
        } finally {
            execute("DROP TRIGGER test_refuse_batch_key ON ledger_idempotency_key");
        }
        Reply retried = api.transfer(refusedKey.substring("refused-".length()), world, bob, 10, "EUR");
        assertThat(retried.status()).isEqualTo(201);
        assertThat(api.balance(bob)).isEqualTo(111);
    }

    @Test
    void twoInstancesOnOneHotAccountNeitherDeadlockNorLoseAnUpdate() throws Exception {
        String world = LedgerApiIT.unique("world");
        api.openAccount(world, "EUR", true);
        List<String> accounts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            accounts.add(LedgerApiIT.unique("shop"));
            api.openAccount(accounts.getLast(), "EUR", true);
        }
        int clients = 16;
        int transfersEach = 40;
        List<Callable<Long>> work = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Api via = c % 2 == 0 ? api : otherApi;
            work.add(() -> {
                long moved = 0;
                for (int t = 0; t < transfersEach; t++) {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    // mostly from the hot account; some between the others both ways, to cross locks
                    String from = random.nextInt(4) == 0 ? accounts.get(random.nextInt(5)) : world;
                    String to = accounts.get(random.nextInt(5));
                    if (from.equals(to)) {
                        continue;
                    }
                    String key = Api.newKey();
                    Reply reply = via.transfer(key, from, to, 1, "EUR");
                    while (reply.status() == 503) {
                        reply = via.transfer(key, from, to, 1, "EUR");
                    }
                    assertThat(reply.status()).as(reply.body()).isEqualTo(201);
                    moved += from.equals(world) ? 1 : 0;
                }
                return moved;
            });
        }
        long fromWorld = 0;
        for (Future<Long> client : CLIENTS.invokeAll(work, 120, TimeUnit.SECONDS)) {
            fromWorld += client.get();
        }

        assertThat(api.balance(world)).isEqualTo(-fromWorld);
        long sum = api.balance(world);
        for (String account : accounts) {
            sum += otherApi.balance(account);
            assertThat(api.balance(account)).isEqualTo(count(
                    "SELECT coalesce(sum(e.amount), 0) FROM ledger_entry e JOIN ledger_account a ON a.id = e.account_id WHERE a.code = ?",
                    account));
        }
        assertThat(sum).as("the EUR sum over these accounts").isZero();
    }

    @Test
    void transferIdsOnOneAccountFollowTheOrderTheTransfersWereApplied() throws Exception {
        String world = LedgerApiIT.unique("world");
        String pot = LedgerApiIT.unique("pot");
        String shop = LedgerApiIT.unique("shop");
        api.openAccount(world, "EUR", true);
        api.openAccount(pot, "EUR", false);
        api.openAccount(shop, "EUR", true);
        List<Callable<Integer>> work = new ArrayList<>();
        for (int c = 0; c < 16; c++) {
            Api via = c % 2 == 0 ? api : otherApi;
            // half fill the pot, half empty it: an emptying applied before a filling is refused
            String from = c % 4 < 2 ? world : pot;
            String to = c % 4 < 2 ? pot : shop;
            work.add(() -> {
                int applied = 0;
                for (int t = 0; t < 30; t++) {
                    String key = Api.newKey();
                    Reply reply = via.transfer(key, from, to, 1, "EUR");
                    while (reply.status() == 503) {
                        reply = via.transfer(key, from, to, 1, "EUR");
                    }
                    if (reply.status() == 201) {
                        applied++;
                    } else {
                        assertThat(reply.problem(409)).isEqualTo("insufficient_funds");
                    }
                }
                return applied;
            });
        }
        int emptied = 0;
        List<Future<Integer>> clients = CLIENTS.invokeAll(work, 120, TimeUnit.SECONDS);
        for (int c = 0; c < clients.size(); c++) {
            emptied += c % 4 < 2 ? 0 : clients.get(c).get();
        }

        // replayed in id order, the pot never goes below zero, as it never did when applied
        List<Long> running = new ArrayList<>();
        long balance = 0;
        for (long amount : amounts("SELECT e.amount FROM ledger_entry e JOIN ledger_account a ON a.id = e.account_id"
                + " WHERE a.code = ? ORDER BY e.transfer_id", pot)) {
            balance += amount;
            running.add(balance);
        }
        assertThat(emptied).as("transfers out of the pot").isPositive();
        assertThat(running).allMatch(b -> b >= 0);
        assertThat(balance).isEqualTo(api.balance(pot));
    }

    private static List<Long> amounts(String sql, String parameter) throws SQLException {
        try (Connection db = connect(); PreparedStatement select = db.prepareStatement(sql)) {
            select.setString(1, parameter);
            try (ResultSet rows = select.executeQuery()) {
                List<Long> amounts = new ArrayList<>();
                while (rows.next()) {
                    amounts.add(rows.getLong(1));
                }
                return amounts;
            }
        }
    }

    /** Sends each request from a client of its own, all released together. */
    private static List<Reply> atOnce(List<Callable<Reply>> requests) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Reply>> replies = new ArrayList<>();
        for (Callable<Reply> request : requests) {
            replies.add(CLIENTS.submit(() -> {
                go.await();
                return request.call();
            }));
        }
        go.countDown();
        List<Reply> answered = new ArrayList<>();
        for (Future<Reply> reply : replies) {
            answered.add(reply.get(30, TimeUnit.SECONDS));
        }
        return answered;
    }

    private static DistributionSummary batches() {
        return gathering.get(MeterRegistry.class).get("lastcall.ledger.transfers.batch.size").summary();
    }

    private static Set<String> transactionsOfKeys(List<String> keys) throws SQLException {
        Set<String> xmins = new HashSet<>();
        try (Connection db = connect();
                PreparedStatement select = db.prepareStatement(
                        "SELECT xmin::text FROM ledger_idempotency_key WHERE idempotency_key = ANY (?)")) {
            select.setArray(1, db.createArrayOf("text", keys.toArray()));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    xmins.add(rows.getString(1));
                }
            }
        }
        return xmins;
    }

    private static long count(String sql, String parameter) throws SQLException {
        try (Connection db = connect(); PreparedStatement select = db.prepareStatement(sql)) {
            select.setString(1, parameter);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection db = connect(); Statement statement = db.createStatement()) {
            statement.execute(sql);
        }
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres", "postgres", "");
    }
}
