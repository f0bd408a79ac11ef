package dev.lastcall.ledger;

import org.jspecify.annotations.Nullable;

/** The body of {@code POST /v1/transfers} as sent; {@link #validate} checks it. */
record TransferRequest(
        @Nullable String from,
        @Nullable String to,
        @Nullable Long amount,
        @Nullable String currency,
        @Nullable String reference) {

    NewTransfer validate() {
        return new NewTransfer(
                Fields.accountCode("from", from),
                Fields.accountCode("to", to),
                Fields.amount("amount", amount),
                Fields.currency("currency", currency),
                Fields.reference("reference", reference));
    }
}
