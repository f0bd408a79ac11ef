package dev.lastcall.ledger;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** A transfer as the API shows it: {@code amount} minor units moved from one account to another. */
record Transfer(long id, String from, String to, long amount, String currency, @Nullable String reference,
        Instant createdAt) {

    static String location(long id) {
        return TransfersServlet.PREFIX + id;
    }
}
