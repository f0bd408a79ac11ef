package dev.lastcall.ledger;

import dev.lastcall.platform.outbox.TransferCreated;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** A transfer as the API shows it: {@code amount} minor units moved from one account to another. */
record Transfer(long id, String from, String to, long amount, String currency, @Nullable String reference,
        Instant createdAt) {

    /** Its {@code transfer.created} event: the same members, so subscribers see what the API shows. */
    TransferCreated created() {
        return new TransferCreated(id, from, to, amount, currency, reference, createdAt);
    }

    static String location(long id) {
        return TransfersServlet.PREFIX + id;
    }
}
