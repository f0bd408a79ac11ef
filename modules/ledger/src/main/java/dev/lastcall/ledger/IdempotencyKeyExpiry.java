package dev.lastcall.ledger;

import dev.lastcall.platform.database.Transactions;
import dev.lastcall.platform.scheduling.Job;
import jakarta.inject.Inject;
import java.sql.PreparedStatement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes Idempotency-Keys older than {@code ledger.idempotencyTtl}, in bounded batches of one
 * transaction each, so a long backlog never holds a long transaction or the stop. Their transfers
 * stay; only the replay of a request that old is no longer possible.
 */
final class IdempotencyKeyExpiry implements Job {

    static final String NAME = "ledger-idempotency-expiry";
    static final int BATCH = 1_000;

    private static final Logger log = LoggerFactory.getLogger(IdempotencyKeyExpiry.class);
    private static final String DELETE_BATCH = """
            DELETE FROM ledger_idempotency_key
            WHERE idempotency_key IN (
                SELECT idempotency_key FROM ledger_idempotency_key
                WHERE created_at < now() - make_interval(secs => ?)
                LIMIT ?
                FOR UPDATE SKIP LOCKED)""";

    private final Transactions transactions;
    private final LedgerSettings settings;

    @Inject
    IdempotencyKeyExpiry(Transactions transactions, LedgerSettings settings) {
        this.transactions = transactions;
        this.settings = settings;
    }

    @Override
    public Backlog run() throws InterruptedException {
        long total = 0;
        int deleted;
        do {
            if (Thread.interrupted()) {
                throw new InterruptedException("stopped after deleting " + total + " expired keys");
            }
            deleted = transactions.execute(connection -> {
                try (PreparedStatement delete = connection.prepareStatement(DELETE_BATCH)) {
                    delete.setDouble(1, settings.idempotencyTtl().toMillis() / 1000.0);
                    delete.setInt(2, BATCH);
                    return delete.executeUpdate();
                }
            });
            total += deleted;
        } while (deleted == BATCH);
        if (total > 0) {
            log.info("{}: deleted {} idempotency keys older than {}", NAME, total, settings.idempotencyTtl());
        }
        return Backlog.NONE;
    }
}
