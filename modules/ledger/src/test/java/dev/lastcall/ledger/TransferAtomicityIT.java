package dev.lastcall.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastcall.platform.testing.TestService;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A transfer, its Idempotency-Key and its {@code transfer.created} event commit together or not
 * at all. A trigger makes PostgreSQL refuse the key row or the event row of a chosen transfer, as
 * any failure between the statements of its transaction would; then the refusal is lifted and the
 * client's retry must apply exactly once.
 */
class TransferAtomicityIT {

    private static final String REFUSE = """
            CREATE TABLE test_refused (value TEXT PRIMARY KEY);
            CREATE FUNCTION test_refuse_key() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM test_refused WHERE value = NEW.idempotency_key) THEN
                    RAISE EXCEPTION 'refused by the test: the key row';
                END IF;
                RETURN NEW;
            END $$;
            CREATE FUNCTION test_refuse_event() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM test_refused WHERE value = NEW.payload ->> 'reference') THEN
                    RAISE EXCEPTION 'refused by the test: the event row';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER test_refuse BEFORE INSERT ON ledger_idempotency_key FOR EACH ROW EXECUTE FUNCTION test_refuse_key();
            CREATE TRIGGER test_refuse BEFORE INSERT ON outbox_events FOR EACH ROW EXECUTE FUNCTION test_refuse_event();
            """;

    private static TestService service;
    private static Api api;

    @BeforeAll
    static void start() throws Exception {
        service = TestService.builder().module(LedgerModule::new).start();
        api = new Api(service::uri);
        service.transactions().execute(c -> {
            try (Statement sql = c.createStatement()) {
                sql.execute(REFUSE);
            }
            return null;
        });
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
    }

    @ParameterizedTest(name = "the {0} row refused")
    @ValueSource(strings = {"key", "event"})
    void aTransferWhoseKeyOrEventCannotBeWrittenLeavesNothingAndItsRetryAppliesOnce(String refused) {
        String world = LedgerApiIT.unique("world");
        String bob = LedgerApiIT.unique("bob");
        api.openAccount(world, "EUR", true);
        api.openAccount(bob, "EUR", false);
        String key = Api.newKey();
        String reference = LedgerApiIT.unique("reference");
        String body = """
                {"from":"%s","to":"%s","amount":700,"currency":"EUR","reference":"%s"}""".formatted(world, bob, reference);
        refuse(refused.equals("key") ? key : reference);

        Api.Reply failed = api.post("/v1/transfers", body, "Idempotency-Key", key);

        assertThat(failed.problem(500)).isEqualTo("internal_error");
        assertThat(api.balance(bob)).isZero();
        assertThat(api.balance(world)).isZero();
        assertThat(rows("SELECT count(*) FROM ledger_transfer WHERE reference = ?", reference)).isZero();
        assertThat(rows("SELECT count(*) FROM outbox_events WHERE payload ->> 'reference' = ?", reference)).isZero();
        assertThat(rows("SELECT count(*) FROM ledger_idempotency_key WHERE idempotency_key = ?", key)).isZero();

        refuseNothing();
        Api.Reply retried = api.post("/v1/transfers", body, "Idempotency-Key", key);
        Api.Reply replayed = api.post("/v1/transfers", body, "Idempotency-Key", key);

        assertThat(retried.status()).as(retried.body()).isEqualTo(201);
        assertThat(replayed.header("Idempotent-Replayed")).hasValue("true");
        assertThat(api.balance(bob)).isEqualTo(700);
        assertThat(rows("SELECT count(*) FROM ledger_transfer WHERE reference = ?", reference)).isOne();
        assertThat(rows("SELECT count(*) FROM outbox_events WHERE payload ->> 'reference' = ?", reference)).isOne();
        assertThat(rows("SELECT count(*) FROM ledger_idempotency_key WHERE idempotency_key = ?", key)).isOne();
    }

    /** From now on PostgreSQL refuses the key or event row carrying {@code value}. */
    private static void refuse(String value) {
        service.transactions().execute(c -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO test_refused VALUES (?)")) {
                insert.setString(1, value);
                insert.executeUpdate();
            }
            return null;
        });
    }

    private static void refuseNothing() {
        service.transactions().execute(c -> {
            try (Statement sql = c.createStatement()) {
                sql.executeUpdate("DELETE FROM test_refused");
            }
            return null;
        });
    }

    private static long rows(String query, String value) {
        return service.transactions().execute(c -> {
            try (PreparedStatement select = c.prepareStatement(query)) {
                select.setString(1, value);
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    return row.getLong(1);
                }
            }
        });
    }
}
