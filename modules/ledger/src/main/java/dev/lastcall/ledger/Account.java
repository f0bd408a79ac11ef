package dev.lastcall.ledger;

import java.time.Instant;

/** An account as the API shows it; {@code balance} is in minor units. */
record Account(String code, String currency, long balance, boolean allowNegative, Instant createdAt) {

    String location() {
        return AccountsServlet.PREFIX + code;
    }
}
