package dev.lastcall.ledger;

import org.jspecify.annotations.Nullable;

/** What a transfer request gets: a stored answer, or a refusal that touches nothing. */
sealed interface TransferAnswer {

    /**
     * The answer stored with the idempotency key: the new transfer (201) or a refusal such as 409
     * {@code insufficient_funds}; {@code replayed} when an earlier request produced it. A refusal
     * just decided knows its problem {@code code}; one read back from the key does not.
     */
    record Stored(int status, String body, @Nullable Long transferId, boolean replayed, @Nullable String code)
            implements TransferAnswer {

        Stored(int status, String body, @Nullable Long transferId, boolean replayed) {
            this(status, body, transferId, replayed, null);
        }

        Stored replay() {
            return new Stored(status, body, transferId, true, code);
        }
    }

    /** Another request with the same key is still running. */
    record KeyInUse() implements TransferAnswer {}

    /** The key was used before for a different request. */
    record KeyReused() implements TransferAnswer {}
}
