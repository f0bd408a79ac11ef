package dev.lastcall.ledger;

import org.jspecify.annotations.Nullable;

/** The body of {@code POST /v1/accounts} as sent; {@link #validate} checks it. */
record AccountRequest(@Nullable String code, @Nullable String currency, @Nullable Boolean allowNegative) {

    NewAccount validate() {
        return new NewAccount(
                Fields.accountCode("code", code),
                Fields.currency("currency", currency),
                allowNegative != null && allowNegative);
    }
}
