package dev.lastcall.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastcall.platform.testing.TestService;
import dev.lastcall.ledger.Api.Reply;
import java.io.IOException;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Many clients at once against the real service: no lost update, no overdraft, no deadlock that
 * surfaces as a 5xx, every currency sums to zero, every transfer has its two entries, its key and
 * one outbox event, and a key sent by many at once applies once.
 */
class LedgerConcurrencyIT {

    private static final int CLIENTS = 32;
    private static final int TRANSFERS_PER_CLIENT = 40;
    private static final long OPENING_BALANCE = 1_000;

    private static TestService service;
    private static Api api;
    private final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);

    @BeforeAll
    static void start() throws Exception {
        service = TestService.builder().module(LedgerModule::new).start();
        api = new Api(service::uri);
    }

    @AfterAll
    static void stop() throws IOException {
        if (service != null) {
            service.close();
        }
    }

    @AfterEach
    void stopClients() {
        clients.shutdownNow();
    }

    @Test
    void manyClientsMovingMoneyBetweenFewAccountsLoseNothingAndOverdrawNothing() throws Exception {
        Map<String, Long> expected = new ConcurrentHashMap<>();
        List<String> euros = openFunded("eur", "EUR", 4, expected);
        List<String> dollars = openFunded("usd", "USD", 3, expected);
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        CountDownLatch gate = new CountDownLatch(1);

        List<Future<?>> runs = new ArrayList<>();
        for (int client = 0; client < CLIENTS; client++) {
            runs.add(clients.submit(() -> {
                LedgerApiIT.await(gate);
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < TRANSFERS_PER_CLIENT; i++) {
                    boolean inEuros = random.nextInt(3) > 0;
                    List<String> accounts = inEuros ? euros : dollars;
                    String from = accounts.get(random.nextInt(accounts.size()));
                    String to = accounts.get(random.nextInt(accounts.size()));
                    if (from.equals(to)) {
                        continue;
                    }
                    long amount = 1 + random.nextLong(400);
                    Reply reply = api.transfer(from, to, amount, inEuros ? "EUR" : "USD");
                    statuses.computeIfAbsent(reply.status(), s -> new AtomicInteger()).incrementAndGet();
                    if (reply.status() == 201) {
                        expected.merge(from, -amount, Long::sum);
                        expected.merge(to, amount, Long::sum);
                    } else {
                        assertThat(reply.problem(409)).isEqualTo("insufficient_funds");
                    }
                }
                return null;
            }));
        }
        gate.countDown();
        for (Future<?> run : runs) {
            run.get(120, TimeUnit.SECONDS);
        }

        assertThat(statuses.keySet()).containsOnly(201, 409);
        assertThat(statuses.get(201).get()).isGreaterThan(CLIENTS * TRANSFERS_PER_CLIENT / 4);
        for (Map.Entry<String, Long> account : expected.entrySet()) {
            long balance = api.balance(account.getKey());
            assertThat(balance).as("balance of %s", account.getKey()).isEqualTo(account.getValue());
            if (!account.getKey().startsWith("world")) {
                assertThat(balance).as("balance of %s", account.getKey()).isNotNegative();
            }
        }
        assertBooksBalance();
    }

    @Test
    void oneKeySentByManyClientsAtOnceAppliesOnce() throws Exception {
        Map<String, Long> expected = new HashMap<>();
        List<String> accounts = openFunded("same-key", "EUR", 2, expected);
        String key = Api.newKey();
        CountDownLatch gate = new CountDownLatch(1);

        List<Future<Reply>> sent = new ArrayList<>();
        for (int client = 0; client < CLIENTS; client++) {
            sent.add(clients.submit(() -> {
                LedgerApiIT.await(gate);
                return api.transfer(key, accounts.get(0), accounts.get(1), 77, "EUR");
            }));
        }
        gate.countDown();
        List<Reply> replies = new ArrayList<>();
        for (Future<Reply> reply : sent) {
            replies.add(reply.get(60, TimeUnit.SECONDS));
        }

        List<Reply> created = replies.stream().filter(r -> r.status() == 201).toList();
        List<Reply> original = created.stream().filter(r -> r.header("Idempotent-Replayed").isEmpty()).toList();
        assertThat(replies).allSatisfy(r -> {
            if (r.status() != 201) {
                assertThat(r.problem(409)).isEqualTo("idempotency_key_in_use");
            }
        });
        assertThat(original).hasSize(1);
        assertThat(created).allSatisfy(r -> assertThat(r.body()).isEqualTo(original.getFirst().body()));
        assertThat(api.balance(accounts.get(0))).isEqualTo(OPENING_BALANCE - 77);
        assertThat(api.balance(accounts.get(1))).isEqualTo(OPENING_BALANCE + 77);
        Reply later = api.transfer(key, accounts.get(0), accounts.get(1), 77, "EUR");
        assertThat(later.header("Idempotent-Replayed")).hasValue("true");
        assertThat(later.body()).isEqualTo(original.getFirst().body());
        assertBooksBalance();
    }

    /** Opens a world account that may go negative and {@code count} accounts funded from it. */
    private static List<String> openFunded(String prefix, String currency, int count, Map<String, Long> expected) {
        String world = LedgerApiIT.unique("world-" + prefix);
        api.openAccount(world, currency, true);
        List<String> accounts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String account = LedgerApiIT.unique(prefix);
            api.openAccount(account, currency, false);
            assertThat(api.transfer(world, account, OPENING_BALANCE, currency).status()).isEqualTo(201);
            accounts.add(account);
            expected.put(account, OPENING_BALANCE);
        }
        expected.put(world, -OPENING_BALANCE * count);
        return accounts;
    }

    /** The invariants of the books, read from the database itself. */
    private static void assertBooksBalance() {
        Map<String, Long> sums = service.transactions().execute(c -> {
            Map<String, Long> byCurrency = new HashMap<>();
            try (var select = c.prepareStatement("SELECT currency, sum(balance) FROM ledger_account GROUP BY currency");
                    ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    byCurrency.put(rows.getString(1), rows.getLong(2));
                }
            }
            return byCurrency;
        });
        assertThat(sums).isNotEmpty().allSatisfy((currency, sum) -> assertThat(sum).as(currency).isZero());
        assertThat(count("""
                SELECT count(*) FROM ledger_account a
                WHERE a.balance <> (SELECT coalesce(sum(e.amount), 0) FROM ledger_entry e WHERE e.account_id = a.id)
                   OR (NOT a.allow_negative AND a.balance < 0)""")).as("accounts whose balance is off").isZero();
        assertThat(count("""
                SELECT count(*) FROM ledger_transfer t
                WHERE (SELECT count(*) FROM ledger_entry e WHERE e.transfer_id = t.id) <> 2
                   OR (SELECT sum(e.amount) FROM ledger_entry e WHERE e.transfer_id = t.id) <> 0
                   OR NOT EXISTS (SELECT 1 FROM ledger_entry e
                                  WHERE e.transfer_id = t.id AND e.account_id = t.to_account_id AND e.amount = t.amount)""")
        ).as("transfers without exactly one debit and one credit").isZero();
        assertThat(count("""
                SELECT count(*) FROM ledger_transfer t
                WHERE NOT EXISTS (SELECT 1 FROM ledger_idempotency_key k WHERE k.transfer_id = t.id)""")
        ).as("transfers without their idempotency key").isZero();
        assertThat(count("""
                SELECT count(*) FROM ledger_transfer t
                WHERE (SELECT count(*) FROM outbox_events e
                       WHERE e.type = 'transfer.created' AND (e.payload ->> 'id')::bigint = t.id) <> 1""")
        ).as("transfers without exactly one transfer.created event").isZero();
        assertThat(count("SELECT count(*) FROM outbox_events WHERE type = 'transfer.created'"))
                .as("transfer.created events").isEqualTo(count("SELECT count(*) FROM ledger_transfer"));
    }

    private static long count(String sql) {
        return service.transactions().execute(c -> {
            try (var select = c.prepareStatement(sql); ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }
}
