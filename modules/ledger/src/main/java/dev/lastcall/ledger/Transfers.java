package dev.lastcall.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.ledger.TransferAnswer.KeyInUse;
import dev.lastcall.ledger.TransferAnswer.KeyReused;
import dev.lastcall.ledger.TransferAnswer.Stored;
import dev.lastcall.platform.database.Transactions;
import dev.lastcall.platform.http.Problem;
import dev.lastcall.platform.outbox.Outbox;
import dev.lastcall.platform.outbox.TransferCreated;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Transfers in the database. {@link #apply} runs one transaction: take the idempotency key, lock
 * both accounts in id order, check the rules, write the transfer with its two entries and both
 * balances, publish its {@code transfer.created} outbox event, and store the answer under the key.
 * Everything in it can run again from the start, as {@link Transactions} does after a
 * serialization failure or deadlock.
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

    @Inject
    Transfers(Transactions transactions, Outbox outbox, ObjectMapper mapper) {
        this.transactions = transactions;
        this.outbox = outbox;
        this.mapper = mapper;
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

    TransferAnswer apply(IdempotencyKey key, NewTransfer transfer) {
        byte[] fingerprint = transfer.fingerprint();
        try {
            return transactions.execute(connection -> apply(connection, key, fingerprint, transfer));
        } catch (RuntimeException e) {
            // The advisory lock makes this unreachable; should it ever happen, the key row stays the
            // only one and the client may retry.
            if (hasSqlState(e, SQL_STATE_UNIQUE_VIOLATION)) {
                return new KeyInUse();
            }
            throw e;
        }
    }

    private TransferAnswer apply(Connection connection, IdempotencyKey key, byte[] fingerprint, NewTransfer transfer)
            throws SQLException {
        // A transaction-scoped advisory lock on the key: a concurrent request with the same key
        // fails to take it and is told the key is in use, instead of waiting behind the first.
        // Taken in its own statement, so that the next statement's snapshot (READ COMMITTED takes
        // one per statement) sees whatever the previous holder committed before it let go.
        if (!tryLockKey(connection, key)) {
            return new KeyInUse();
        }
        Optional<StoredKey> stored = storedKey(connection, key);
        if (stored.isPresent()) {
            return Arrays.equals(stored.get().fingerprint(), fingerprint) ? stored.get().answer().replay() : new KeyReused();
        }
        Stored answer = decide(connection, transfer);
        storeKey(connection, key, fingerprint, answer);
        return answer;
    }

    private Stored decide(Connection connection, NewTransfer transfer) throws SQLException {
        if (transfer.from().equals(transfer.to())) {
            return refusal(422, "same_account", "Same account", "from and to are the same account");
        }
        Map<String, LockedAccount> accounts = lockAccounts(connection, transfer.from(), transfer.to());
        LockedAccount from = accounts.get(transfer.from());
        LockedAccount to = accounts.get(transfer.to());
        if (from == null || to == null) {
            return refusal(422, "account_not_found", "Account not found",
                    "no account with code '%s'".formatted(from == null ? transfer.from() : transfer.to()));
        }
        if (!from.currency().equals(transfer.currency()) || !to.currency().equals(transfer.currency())) {
            return refusal(422, "currency_mismatch", "Currency mismatch",
                    "the transfer is in %s, but '%s' is in %s and '%s' is in %s".formatted(transfer.currency(),
                            from.code(), from.currency(), to.code(), to.currency()));
        }
        if (!from.allowNegative() && from.balance() < transfer.amount()) {
            return refusal(409, "insufficient_funds", "Insufficient funds",
                    "account '%s' has %d, less than %d".formatted(from.code(), from.balance(), transfer.amount()));
        }
        if (from.balance() < Long.MIN_VALUE + transfer.amount() || to.balance() > Long.MAX_VALUE - transfer.amount()) {
            return refusal(422, "balance_out_of_range", "Balance out of range",
                    "the transfer would take a balance beyond the range of a 64-bit integer");
        }
        Transfer written = write(connection, from, to, transfer);
        outbox.publish(connection, TransferCreated.TYPE, written.created());
        return new Stored(201, json(written), written.id(), false);
    }

    /** Locks both accounts, always the lower id first, so two opposite transfers cannot deadlock. */
    private static Map<String, LockedAccount> lockAccounts(Connection connection, String from, String to)
            throws SQLException {
        Map<String, LockedAccount> accounts = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT id, code, currency, balance, allow_negative FROM ledger_account
                WHERE code IN (?, ?)
                ORDER BY id
                FOR UPDATE""")) {
            select.setString(1, from);
            select.setString(2, to);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    LockedAccount account = new LockedAccount(rows.getLong("id"), rows.getString("code"),
                            rows.getString("currency"), rows.getLong("balance"), rows.getBoolean("allow_negative"));
                    accounts.put(account.code(), account);
                }
            }
        }
        return accounts;
    }

    /** The double entry: the transfer, a debit and a credit entry, and both balances, in one statement. */
    private static Transfer write(Connection connection, LockedAccount from, LockedAccount to, NewTransfer transfer)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                WITH transfer AS (
                    INSERT INTO ledger_transfer (from_account_id, to_account_id, amount, currency, reference)
                    VALUES (?, ?, ?, ?, ?)
                    RETURNING id, created_at
                ), entries AS (
                    INSERT INTO ledger_entry (account_id, transfer_id, amount)
                    SELECT ?, id, -? FROM transfer
                    UNION ALL
                    SELECT ?, id, ? FROM transfer
                ), balances AS (
                    UPDATE ledger_account
                    SET balance = balance + CASE WHEN id = ? THEN -? ELSE ? END
                    WHERE id IN (?, ?)
                )
                SELECT id, created_at FROM transfer""")) {
            long amount = transfer.amount();
            int i = 0;
            insert.setLong(++i, from.id());
            insert.setLong(++i, to.id());
            insert.setLong(++i, amount);
            insert.setString(++i, transfer.currency());
            if (transfer.reference() == null) {
                insert.setNull(++i, Types.VARCHAR);
            } else {
                insert.setString(++i, transfer.reference());
            }
            insert.setLong(++i, from.id());
            insert.setLong(++i, amount);
            insert.setLong(++i, to.id());
            insert.setLong(++i, amount);
            insert.setLong(++i, from.id());
            insert.setLong(++i, amount);
            insert.setLong(++i, amount);
            insert.setLong(++i, from.id());
            insert.setLong(++i, to.id());
            try (ResultSet row = insert.executeQuery()) {
                row.next();
                return new Transfer(row.getLong("id"), from.code(), to.code(), amount, transfer.currency(),
                        transfer.reference(), row.getTimestamp("created_at").toInstant());
            }
        }
    }

    private static boolean tryLockKey(Connection connection, IdempotencyKey key) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(
                "SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0))")) {
            lock.setString(1, key.value());
            try (ResultSet row = lock.executeQuery()) {
                row.next();
                return row.getBoolean(1);
            }
        }
    }

    private static Optional<StoredKey> storedKey(Connection connection, IdempotencyKey key) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT fingerprint, response_status, response_body, transfer_id
                FROM ledger_idempotency_key WHERE idempotency_key = ?""")) {
            select.setString(1, key.value());
            return Accounts.single(select, row -> new StoredKey(row.getBytes("fingerprint"), new Stored(
                    row.getInt("response_status"), row.getString("response_body"),
                    row.getObject("transfer_id", Long.class), false)));
        }
    }

    private static void storeKey(Connection connection, IdempotencyKey key, byte[] fingerprint, Stored answer)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO ledger_idempotency_key
                    (idempotency_key, fingerprint, response_status, response_body, transfer_id)
                VALUES (?, ?, ?, ?, ?)""")) {
            insert.setString(1, key.value());
            insert.setBytes(2, fingerprint);
            insert.setInt(3, answer.status());
            insert.setString(4, answer.body());
            if (answer.transferId() == null) {
                insert.setNull(5, Types.BIGINT);
            } else {
                insert.setLong(5, answer.transferId());
            }
            insert.executeUpdate();
        }
    }

    private Stored refusal(int status, String code, String title, String detail) {
        return new Stored(status, json(Problem.of(status, code, title, detail)), null, false, code);
    }

    private String json(Object body) {
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + body.getClass().getSimpleName() + " as JSON", e);
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

    private record LockedAccount(long id, String code, String currency, long balance, boolean allowNegative) {}

    private record StoredKey(byte[] fingerprint, Stored answer) {}
}
