package dev.lastcall.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lastcall.platform.config.ConfigError;
import dev.lastcall.platform.config.Settings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WebhookSettingsTest {

    private static WebhookSettings load(Map<String, String> environment) {
        return WebhookSettings.from(Settings.load(Optional.empty(), environment));
    }

    @Test
    void theShippedDefaultsAreValidAndRefusePrivateNetworks() {
        WebhookSettings defaults = load(Map.of());
        assertThat(defaults.allowPrivateNetworks()).isFalse();
        assertThat(defaults.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(defaults.lease()).isGreaterThan(defaults.requestTimeout());
    }

    @Test
    void aRequestTimeoutThatCouldHoldTheShutdownIsRefused() {
        assertThatThrownBy(() -> load(Map.of("LASTCALL_WEBHOOKS_REQUEST_TIMEOUT", "10s", "LASTCALL_WEBHOOKS_LEASE", "1m")))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("webhooks.requestTimeout")
                .hasMessageContaining("workers.stopTimeout");
    }

    @Test
    void aLeaseNoLongerThanTheRequestTimeoutIsRefused() {
        assertThatThrownBy(() -> load(Map.of("LASTCALL_WEBHOOKS_LEASE", "5s")))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("webhooks.lease");
    }

    @Test
    void aMaximumRetryDelayBelowTheBaseIsRefused() {
        assertThatThrownBy(() -> load(Map.of("LASTCALL_WEBHOOKS_RETRY_MAX_DELAY", "1s")))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("webhooks.retryMaxDelay");
    }
}
