package dev.lastcall.ledger;

import dev.lastcall.platform.database.Transactions;
import dev.lastcall.platform.http.Cursor;
import dev.lastcall.platform.http.ProblemException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Accounts in the database: open, read, and list an account's transfers. */
@Singleton
final class Accounts {

    private static final String COLUMNS = "code, currency, balance, allow_negative, created_at";

    private final Transactions transactions;

    @Inject
    Accounts(Transactions transactions) {
        this.transactions = transactions;
    }

    /**
     * Opens an account with a zero balance.
     *
     * @throws ProblemException 409 {@code account_exists} when the code is taken
     */
    Account open(NewAccount account) {
        // ON CONFLICT waits for a concurrent insert of the same code to commit or roll back, so
        // exactly one of two concurrent requests opens the account.
        Optional<Account> opened = transactions.execute(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO ledger_account (code, currency, allow_negative) VALUES (?, ?, ?)
                    ON CONFLICT (code) DO NOTHING
                    RETURNING\s""" + COLUMNS)) {
                insert.setString(1, account.code());
                insert.setString(2, account.currency());
                insert.setBoolean(3, account.allowNegative());
                return single(insert, Accounts::account);
            }
        });
        return opened.orElseThrow(() -> new ProblemException(409, "account_exists", "Account exists",
                "an account with code '%s' already exists".formatted(account.code())));
    }

    Optional<Account> find(String code) {
        return transactions.execute(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT " + COLUMNS + " FROM ledger_account WHERE code = ?")) {
                select.setString(1, code);
                return single(select, Accounts::account);
            }
        });
    }

    /** The code of the account opened first; empty while there is none. */
    Optional<String> firstCode() {
        return transactions.execute(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT code FROM ledger_account ORDER BY id LIMIT 1")) {
                return single(select, row -> row.getString("code"));
            }
        });
    }

    /**
     * The account's transfers with an id below {@code before} (all when empty), newest first, at
     * most {@code limit}; empty when there is no such account. Ids only grow, so a page never
     * repeats or skips a transfer of an earlier page, whatever commits meanwhile.
     */
    Optional<TransferPage> transfers(String code, int limit, OptionalLong before) {
        return transactions.execute(connection -> {
            OptionalLong accountId = accountId(connection, code);
            if (accountId.isEmpty()) {
                return Optional.empty();
            }
            try (PreparedStatement select = connection.prepareStatement("""
                    SELECT %s FROM ledger_entry e
                    JOIN ledger_transfer t ON t.id = e.transfer_id
                    JOIN ledger_account fa ON fa.id = t.from_account_id
                    JOIN ledger_account ta ON ta.id = t.to_account_id
                    WHERE e.account_id = ? AND e.transfer_id < ?
                    ORDER BY e.transfer_id DESC
                    LIMIT ?""".formatted(Transfers.COLUMNS))) {
                select.setLong(1, accountId.getAsLong());
                select.setLong(2, before.orElse(Long.MAX_VALUE));
                select.setInt(3, limit + 1);
                List<Transfer> items = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        items.add(Transfers.transfer(rows));
                    }
                }
                if (items.size() <= limit) {
                    return Optional.of(new TransferPage(items, null));
                }
                List<Transfer> page = List.copyOf(items.subList(0, limit));
                return Optional.of(new TransferPage(page, Cursor.encode(page.getLast().id())));
            }
        });
    }

    private static OptionalLong accountId(Connection connection, String code) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT id FROM ledger_account WHERE code = ?")) {
            select.setString(1, code);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? OptionalLong.of(rows.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    private static Account account(ResultSet row) throws SQLException {
        return new Account(row.getString("code"), row.getString("currency"), row.getLong("balance"),
                row.getBoolean("allow_negative"), row.getTimestamp("created_at").toInstant());
    }

    @FunctionalInterface
    interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    static <T> Optional<T> single(PreparedStatement statement, RowReader<T> reader) throws SQLException {
        try (ResultSet rows = statement.executeQuery()) {
            return rows.next() ? Optional.of(reader.read(rows)) : Optional.empty();
        }
    }
}
