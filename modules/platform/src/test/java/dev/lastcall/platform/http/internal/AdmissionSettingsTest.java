package dev.lastcall.platform.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lastcall.platform.config.ConfigError;
import dev.lastcall.platform.config.Settings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AdmissionSettingsTest {

    @Test
    void shipsSixtyFourTurnsAQueueOfAHundredAndFiveSecondsToWait() {
        assertThat(AdmissionSettings.from(Settings.load(Optional.empty(), Map.of())))
                .isEqualTo(new AdmissionSettings(64, 100, Duration.ofSeconds(5)));
    }

    @Test
    void takesNoQueueAndNoWait() {
        assertThat(AdmissionSettings.from(Settings.load(Optional.empty(), Map.of(
                "LASTCALL_HTTP_MAX_QUEUED_REQUESTS", "0", "LASTCALL_HTTP_QUEUE_TIMEOUT", "0s"))))
                .isEqualTo(new AdmissionSettings(64, 0, Duration.ZERO));
    }

    @Test
    void refusesNoTurnsAtAllNamingTheKeyAndWhereItCameFrom() {
        Settings settings = Settings.load(Optional.empty(), Map.of("LASTCALL_HTTP_MAX_ACTIVE_REQUESTS", "0"));

        assertThatThrownBy(() -> AdmissionSettings.from(settings))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("http.maxActiveRequests: ")
                .hasMessageContaining("LASTCALL_HTTP_MAX_ACTIVE_REQUESTS");
    }

    @Test
    void refusesANegativeQueueTimeout() {
        Settings settings = Settings.load(Optional.empty(), Map.of("LASTCALL_HTTP_QUEUE_TIMEOUT", "-1s"));

        assertThatThrownBy(() -> AdmissionSettings.from(settings))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("http.queueTimeout: ");
    }
}
