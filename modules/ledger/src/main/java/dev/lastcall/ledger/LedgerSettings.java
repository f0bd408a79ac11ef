package dev.lastcall.ledger;

import dev.lastcall.platform.config.Settings;
import java.time.Duration;

/** The {@code ledger.*} keys, validated. */
record LedgerSettings(Duration idempotencyTtl, Duration expiryInterval, int batchMaxSize, int batchesInFlight, Duration batchMaxDelay) {

    /** Sizes PostgreSQL handles in one statement with ease; far beyond any useful batch. */
    private static final int LARGEST_BATCH = 10_000;
    private static final int MOST_BATCHES_IN_FLIGHT = 100;
    private static final Duration LONGEST_BATCH_DELAY = Duration.ofSeconds(1);

    static LedgerSettings from(Settings settings) {
        Duration delay = settings.duration("ledger.batch.maxDelay");
        if (delay.compareTo(LONGEST_BATCH_DELAY) > 0) {
            throw settings.invalid("ledger.batch.maxDelay", "must be at most 1s, got " + delay.toMillis() + "ms");
        }
        return new LedgerSettings(settings.positiveDuration("ledger.idempotencyTtl"),
                settings.positiveDuration("ledger.idempotencyExpiryInterval"),
                settings.intBetween("ledger.batch.maxSize", 1, LARGEST_BATCH),
                settings.intBetween("ledger.batch.inFlight", 1, MOST_BATCHES_IN_FLIGHT), delay);
    }
}
