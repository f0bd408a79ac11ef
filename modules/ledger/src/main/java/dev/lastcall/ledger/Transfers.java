package dev.lastcall.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.ledger.TransferAnswer.KeyInUse;
import dev.lastcall.platform.database.Transactions;
import dev.lastcall.platform.outbox.Outbox;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Transfers in the database. {@link #apply} puts a transfer into the next batch of the group
 * commit: one transaction applies the batch ({@link TransferBatch}: the keys, the accounts locked
 * in id order, the rules, each transfer with its two entries, the balances, the {@code
 * transfer.created} events and the answers stored under the keys) and commits it once.
 */
@Singleton
final class Transfers {

    /** The columns {@link #transfer} reads, for queries over {@code ledger_transfer t} and its two accounts. */
    static final String COLUMNS =
            "t.id, fa.code AS from_code, ta.code AS to_code, t.amount, t.currency, t.reference, t.created_at";

    private static final String SQL_STATE_UNIQUE_VIOLATION = "23505";

    private final Transactions transactions;
    private final Outbox outbox;
    private final ObjectMapper mapper;
    private final LedgerMetrics metrics;
    private final GroupCommit<TransferBatch.Request, TransferAnswer> batches;

    @Inject
    Transfers(Transactions transactions, Outbox outbox, ObjectMapper mapper, LedgerMetrics metrics, LedgerSettings settings) {
        this.transactions = transactions;
        this.outbox = outbox;
        this.mapper = mapper;
        this.metrics = metrics;
        this.batches = new GroupCommit<>(settings.batchMaxSize(), settings.batchesInFlight(), settings.batchMaxDelay(),
                this::commit, request -> request.key().value(), request -> new KeyInUse());
    }

    Optional<Transfer> find(long id) {
        return transactions.execute(connection -> {
            try (PreparedStatement select = connection.prepareStatement("""
                    SELECT %s FROM ledger_transfer t
                    JOIN ledger_account fa ON fa.id = t.from_account_id
                    JOIN ledger_account ta ON ta.id = t.to_account_id
                    WHERE t.id = ?""".formatted(COLUMNS))) {
                select.setLong(1, id);
                return Accounts.single(select, Transfers::transfer);
            }
        });
    }

    /** Applies the transfer in the next batch ({@link GroupCommit}); answers once that batch has committed. */
    TransferAnswer apply(IdempotencyKey key, NewTransfer transfer) {
        return batches.submit(new TransferBatch.Request(key, transfer, transfer.fingerprint(),
                Outbox.Publication.traceOfThisRequest()));
    }

    private List<TransferAnswer> commit(List<TransferBatch.Request> batch) {
        try {
            List<TransferAnswer> answers = transactions.execute(c -> TransferBatch.apply(c, outbox, mapper, batch));
            metrics.committedBatch(batch.size());
            return answers;
        } catch (RuntimeException e) {
            // The advisory locks make this unreachable; should it ever happen, the key row stays the
            // only one and the client may retry.
            if (batch.size() == 1 && hasSqlState(e, SQL_STATE_UNIQUE_VIOLATION)) {
                return List.of(new KeyInUse());
            }
            throw e;
        }
    }

    static Transfer transfer(ResultSet row) throws SQLException {
        return new Transfer(row.getLong("id"), row.getString("from_code"), row.getString("to_code"),
                row.getLong("amount"), row.getString("currency"), row.getString("reference"),
                row.getTimestamp("created_at").toInstant());
    }

    private static boolean hasSqlState(Throwable e, String sqlState) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sqlState.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

}
