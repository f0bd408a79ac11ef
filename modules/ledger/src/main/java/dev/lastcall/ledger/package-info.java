/**
 * The ledger: accounts in one currency each and transfers between them, served as the HTTP API v1
 * ({@code /v1/accounts}, {@code /v1/transfers}). It is double-entry: a transfer debits one account
 * and credits another by the same amount in one transaction, so every currency's balances sum to
 * zero; only an account opened with {@code allowNegative} (how money enters the books) may go below
 * zero. A transfer needs an {@code Idempotency-Key}, stored with its answer in the same transaction,
 * so a retried request is answered again and never applied twice. The module reaches the database
 * only through the platform's {@link dev.lastcall.platform.database.Transactions}; its tables are
 * in {@code db/V1__ledger_accounts_and_transfers.sql}. {@link dev.lastcall.ledger.LedgerModule} is
 * its only public class.
 */
@NullMarked
package dev.lastcall.ledger;

import org.jspecify.annotations.NullMarked;
