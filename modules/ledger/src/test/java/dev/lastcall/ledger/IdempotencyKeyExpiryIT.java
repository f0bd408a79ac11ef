package dev.lastcall.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastcall.platform.testing.TestService;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IdempotencyKeyExpiryIT {

    private static TestService service;

    @BeforeAll
    static void start() throws Exception {
        service = TestService.builder().module(LedgerModule::new).start();
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
    }

    @Test
    void deletesKeysOlderThanTheTtlInBatchesAndKeepsYoungerOnes() throws Exception {
        int old = IdempotencyKeyExpiry.BATCH * 2 + 500;
        service.transactions().execute(c -> {
            try (Statement sql = c.createStatement()) {
                sql.executeUpdate("DELETE FROM ledger_idempotency_key");
            }
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO ledger_idempotency_key (idempotency_key, fingerprint, response_status, response_body, created_at)
                    SELECT ? || g, decode(repeat('00', 32), 'hex'), 422, '{}', now() - make_interval(secs => ?)
                    FROM generate_series(1, ?) g""")) {
                insert.setString(1, "old-");
                insert.setDouble(2, Duration.ofHours(25).toSeconds());
                insert.setInt(3, old);
                insert.executeUpdate();
                insert.setString(1, "young-");
                insert.setDouble(2, Duration.ofHours(23).toSeconds());
                insert.setInt(3, 10);
                insert.executeUpdate();
            }
            return null;
        });

        new IdempotencyKeyExpiry(service.transactions(), new LedgerSettings(Duration.ofHours(24), Duration.ofMinutes(1), 256, 2, Duration.ZERO)).run();

        long remainingOld = count("SELECT count(*) FROM ledger_idempotency_key WHERE idempotency_key LIKE 'old-%'");
        long remainingYoung = count("SELECT count(*) FROM ledger_idempotency_key WHERE idempotency_key LIKE 'young-%'");
        assertThat(remainingOld).isZero();
        assertThat(remainingYoung).isEqualTo(10);
    }

    @Test
    void anInterruptedRunStopsBetweenBatches() {
        Thread.currentThread().interrupt();
        try {
            new IdempotencyKeyExpiry(service.transactions(), new LedgerSettings(Duration.ofHours(24), Duration.ofMinutes(1), 256, 2, Duration.ZERO)).run();
            throw new AssertionError("expected the run to stop on the interrupt");
        } catch (InterruptedException expected) {
            assertThat(expected).hasMessageContaining("stopped after deleting 0 expired keys");
        }
    }

    private static long count(String query) {
        return service.transactions().execute(c -> {
            try (Statement sql = c.createStatement(); ResultSet rows = sql.executeQuery(query)) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }
}
