package dev.lastcall.webhooks;

import dev.lastcall.platform.config.Settings;
import java.time.Duration;

/**
 * The {@code webhooks.*} keys, validated together.
 *
 * @param lease how long a claimed delivery belongs to the process that claimed it; longer than
 *     {@code requestTimeout}, so an attempt always ends before another process may claim it
 */
record WebhookSettings(
        boolean allowPrivateNetworks,
        Duration requestTimeout,
        Duration lease,
        int maxAttempts,
        Duration retryBaseDelay,
        Duration retryMaxDelay,
        Duration pollInterval,
        int batchSize) {

    static WebhookSettings from(Settings settings) {
        WebhookSettings webhooks = new WebhookSettings(
                settings.bool("webhooks.allowPrivateNetworks"),
                settings.positiveDuration("webhooks.requestTimeout"),
                settings.positiveDuration("webhooks.lease"),
                settings.intBetween("webhooks.maxAttempts", 1, 100),
                settings.positiveDuration("webhooks.retryBaseDelay"),
                settings.positiveDuration("webhooks.retryMaxDelay"),
                settings.positiveDuration("webhooks.pollInterval"),
                settings.intBetween("webhooks.batchSize", 1, 1000));
        Duration workersStopTimeout = settings.duration("workers.stopTimeout");
        if (webhooks.requestTimeout.compareTo(workersStopTimeout) >= 0) {
            throw settings.invalid("webhooks.requestTimeout",
                    "must be less than workers.stopTimeout (%s), so a slow receiver cannot hold the shutdown"
                            .formatted(workersStopTimeout));
        }
        if (webhooks.lease.compareTo(webhooks.requestTimeout) <= 0) {
            throw settings.invalid("webhooks.lease",
                    "must exceed webhooks.requestTimeout (%s)".formatted(webhooks.requestTimeout));
        }
        if (webhooks.retryMaxDelay.compareTo(webhooks.retryBaseDelay) < 0) {
            throw settings.invalid("webhooks.retryMaxDelay",
                    "must not be less than webhooks.retryBaseDelay (%s)".formatted(webhooks.retryBaseDelay));
        }
        return webhooks;
    }
}
