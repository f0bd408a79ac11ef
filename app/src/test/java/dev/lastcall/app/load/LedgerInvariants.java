package dev.lastcall.app.load;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DESIGN.md's consistency invariants, read from the database in one snapshot: every transfer a
 * client saw acknowledged is there exactly once (load clients use the Idempotency-Key as the
 * reference), and nothing is half-written: each transfer has its two entries, its outbox event and
 * its Idempotency-Key row; each balance is the sum of its entries; each currency sums to zero.
 */
public final class LedgerInvariants {

    /** What the database held, measured against what the clients saw acknowledged. */
    public record Report(
            int acknowledged,
            Set<String> acknowledgedMissing,
            Set<String> acknowledgedWithAnotherId,
            long duplicateReferences,
            long transfers,
            long unacknowledgedTransfers,
            long transfersNotDoubleEntry,
            long accountsOffTheirEntries,
            Map<String, Long> sumByCurrency,
            long events,
            long transfersWithoutExactlyOneEvent,
            long eventsWithoutTransfer,
            long transfersWithoutIdempotencyKey) {

        /**
         * The invariants that hold after any stop, kill or fault; empty when all do. Transfers no
         * client saw acknowledged are allowed (a response lost to a kill), as long as they are whole.
         */
        public List<String> violations() {
            List<String> violations = new ArrayList<>();
            if (!acknowledgedMissing.isEmpty()) {
                violations.add(acknowledgedMissing.size() + " acknowledged transfers missing, e.g. "
                        + acknowledgedMissing.stream().limit(5).toList());
            }
            if (!acknowledgedWithAnotherId.isEmpty()) {
                violations.add(acknowledgedWithAnotherId.size() + " acknowledged transfers stored under another id, e.g. "
                        + acknowledgedWithAnotherId.stream().limit(5).toList());
            }
            addIfPositive(violations, duplicateReferences, "references (Idempotency-Keys) applied more than once");
            addIfPositive(violations, transfersNotDoubleEntry, "transfers without exactly their debit and credit entry");
            addIfPositive(violations, accountsOffTheirEntries, "accounts whose balance is not the sum of their entries");
            sumByCurrency.forEach((currency, sum) -> {
                if (sum != 0) {
                    violations.add("balances in " + currency + " sum to " + sum + ", not 0");
                }
            });
            addIfPositive(violations, transfersWithoutExactlyOneEvent, "transfers without exactly one transfer.created event");
            addIfPositive(violations, eventsWithoutTransfer, "transfer.created events without their transfer");
            addIfPositive(violations, transfersWithoutIdempotencyKey, "transfers without their Idempotency-Key row");
            return violations;
        }

        public String summary() {
            return ("%d transfers acknowledged, %d missing, %d under another id, %d applied twice; %d transfers "
                    + "(%d not acknowledged), %d not double-entry, %d accounts off their entries, sums %s; %d events, "
                    + "%d transfers without exactly one, %d without their transfer; %d transfers without their key")
                    .formatted(acknowledged, acknowledgedMissing.size(), acknowledgedWithAnotherId.size(),
                            duplicateReferences, transfers, unacknowledgedTransfers, transfersNotDoubleEntry,
                            accountsOffTheirEntries, sumByCurrency, events, transfersWithoutExactlyOneEvent,
                            eventsWithoutTransfer, transfersWithoutIdempotencyKey);
        }

        private static void addIfPositive(List<String> violations, long count, String what) {
            if (count > 0) {
                violations.add(count + " " + what);
            }
        }
    }

    private LedgerInvariants() {}

    /**
     * Checks the database behind {@code db} against {@code acknowledged} (Idempotency-Key →
     * transfer id, as the clients saw it). Runs in one read-only repeatable-read transaction, so
     * all figures come from the same snapshot.
     */
    public static Report check(Connection db, Map<String, Long> acknowledged) throws SQLException {
        boolean autoCommit = db.getAutoCommit();
        int isolation = db.getTransactionIsolation();
        db.setAutoCommit(false);
        db.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        db.setReadOnly(true);
        try (Statement sql = db.createStatement()) {
            Report report = check(sql, acknowledged);
            db.commit();
            return report;
        } finally {
            db.setReadOnly(false);
            db.setTransactionIsolation(isolation);
            db.setAutoCommit(autoCommit);
        }
    }

    private static Report check(Statement sql, Map<String, Long> acknowledged) throws SQLException {
        Map<String, Long> idByReference = new HashMap<>();
        try (ResultSet rows = sql.executeQuery("SELECT reference, id FROM ledger_transfer WHERE reference IS NOT NULL")) {
            while (rows.next()) {
                idByReference.put(rows.getString(1), rows.getLong(2));
            }
        }
        Set<String> missing = new HashSet<>();
        Set<String> anotherId = new HashSet<>();
        acknowledged.forEach((key, id) -> {
            Long stored = idByReference.get(key);
            if (stored == null) {
                missing.add(key);
            } else if (!stored.equals(id)) {
                anotherId.add(key);
            }
        });
        long transfers = count(sql, "SELECT count(*) FROM ledger_transfer");
        long acknowledgedPresent = acknowledged.size() - missing.size();
        Map<String, Long> sums = new HashMap<>();
        try (ResultSet rows = sql.executeQuery("SELECT currency, sum(balance) FROM ledger_account GROUP BY currency")) {
            while (rows.next()) {
                sums.put(rows.getString(1), rows.getLong(2));
            }
        }
        return new Report(
                acknowledged.size(),
                Set.copyOf(missing),
                Set.copyOf(anotherId),
                count(sql, """
                        SELECT count(*) FROM (SELECT reference FROM ledger_transfer
                        WHERE reference IS NOT NULL GROUP BY reference HAVING count(*) > 1) d"""),
                transfers,
                transfers - acknowledgedPresent,
                count(sql, """
                        SELECT count(*) FROM ledger_transfer t
                        LEFT JOIN (SELECT transfer_id,
                                          count(*) AS entries,
                                          count(*) FILTER (WHERE amount < 0) AS debits,
                                          min(account_id) FILTER (WHERE amount < 0) AS debited,
                                          min(amount) FILTER (WHERE amount < 0) AS debit,
                                          min(account_id) FILTER (WHERE amount > 0) AS credited,
                                          max(amount) FILTER (WHERE amount > 0) AS credit
                                   FROM ledger_entry GROUP BY transfer_id) e ON e.transfer_id = t.id
                        WHERE e.entries IS DISTINCT FROM 2 OR e.debits <> 1
                           OR e.debited IS DISTINCT FROM t.from_account_id OR e.debit IS DISTINCT FROM -t.amount
                           OR e.credited IS DISTINCT FROM t.to_account_id OR e.credit IS DISTINCT FROM t.amount"""),
                count(sql, """
                        SELECT count(*) FROM ledger_account a
                        LEFT JOIN (SELECT account_id, sum(amount) AS total FROM ledger_entry GROUP BY account_id) e
                               ON e.account_id = a.id
                        WHERE a.balance <> COALESCE(e.total, 0)"""),
                Map.copyOf(sums),
                count(sql, "SELECT count(*) FROM outbox_events WHERE type = 'transfer.created'"),
                count(sql, """
                        SELECT count(*) FROM ledger_transfer t
                        LEFT JOIN (SELECT (payload->>'id')::bigint AS transfer_id, count(*) AS n FROM outbox_events
                                   WHERE type = 'transfer.created' GROUP BY 1) e ON e.transfer_id = t.id
                        WHERE COALESCE(e.n, 0) <> 1"""),
                count(sql, """
                        SELECT count(*) FROM outbox_events e
                        WHERE e.type = 'transfer.created'
                          AND NOT EXISTS (SELECT 1 FROM ledger_transfer t WHERE t.id = (e.payload->>'id')::bigint)"""),
                count(sql, """
                        SELECT count(*) FROM ledger_transfer t
                        WHERE NOT EXISTS (SELECT 1 FROM ledger_idempotency_key k WHERE k.transfer_id = t.id)"""));
    }

    private static long count(Statement sql, String query) throws SQLException {
        try (ResultSet rows = sql.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
