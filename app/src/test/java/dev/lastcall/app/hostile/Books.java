package dev.lastcall.app.hostile;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What the database holds, in one snapshot: a refused request changes none of it. (Idempotency-Key rows are left out: a refusal on the ledger's rules, such as 422
 * account_not_found, is remembered under its key as the first answer, by design.)
 */
record Books(long accounts, long transfers, long entries, long outboxEvents,
        long subscriptions, long deliveries, String balances) {

    static Books read(String jdbcUrl) throws SQLException {
        try (Connection db = DriverManager.getConnection(jdbcUrl, "postgres", "");
                Statement statement = db.createStatement();
                ResultSet row = statement.executeQuery("""
                        SELECT (SELECT count(*) FROM ledger_account),
                               (SELECT count(*) FROM ledger_transfer),
                               (SELECT count(*) FROM ledger_entry),
                               (SELECT count(*) FROM outbox_events),
                               (SELECT count(*) FROM webhook_subscriptions),
                               (SELECT count(*) FROM webhook_deliveries),
                               (SELECT coalesce(string_agg(code || '=' || balance, ',' ORDER BY code), '') FROM ledger_account)
                        """)) {
            row.next();
            return new Books(row.getLong(1), row.getLong(2), row.getLong(3), row.getLong(4), row.getLong(5),
                    row.getLong(6), row.getString(7));
        }
    }

    /** For each currency, the balances sum to zero. */
    static long unbalancedCurrencies(String jdbcUrl) throws SQLException {
        try (Connection db = DriverManager.getConnection(jdbcUrl, "postgres", "");
                Statement statement = db.createStatement();
                ResultSet row = statement.executeQuery(
                        "SELECT count(*) FROM (SELECT currency FROM ledger_account GROUP BY currency HAVING sum(balance) <> 0) u")) {
            row.next();
            return row.getLong(1);
        }
    }
}
