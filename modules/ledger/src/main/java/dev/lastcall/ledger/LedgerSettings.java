package dev.lastcall.ledger;

import dev.lastcall.platform.config.Settings;
import java.time.Duration;

/** The {@code ledger.*} keys, validated. */
record LedgerSettings(Duration idempotencyTtl, Duration expiryInterval) {

    static LedgerSettings from(Settings settings) {
        return new LedgerSettings(settings.positiveDuration("ledger.idempotencyTtl"),
                settings.positiveDuration("ledger.idempotencyExpiryInterval"));
    }
}
