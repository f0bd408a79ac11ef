package dev.lastcall.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lastcall.platform.config.ConfigError;
import dev.lastcall.platform.config.Settings;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlatformModuleTest {

    @Test
    void acceptsTheShippedDefaults() {
        PlatformModule module = new PlatformModule(Settings.load(Optional.empty(), Map.of()));

        assertThat(module.processSettings().logLevel()).isEqualTo("INFO");
    }

    @Test
    void rejectsAShutdownTimeoutEqualToDrainDelayPlusStopTimeout() {
        Settings settings = Settings.load(Optional.empty(), Map.of(
                "LASTCALL_HTTP_DRAIN_DELAY", "5s",
                "LASTCALL_HTTP_STOP_TIMEOUT", "10s",
                "LASTCALL_SHUTDOWN_TIMEOUT", "15s"));

        assertThatThrownBy(() -> new PlatformModule(settings))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("shutdown.timeout: ")
                .hasMessageContaining("http.drainDelay + http.stopTimeout")
                .hasMessageContaining("environment variable LASTCALL_SHUTDOWN_TIMEOUT");
    }

    @Test
    void rejectsAShippedShutdownTimeoutShorterThanALongerStopTimeout() {
        Settings settings = Settings.load(Optional.empty(), Map.of("LASTCALL_HTTP_STOP_TIMEOUT", "45s"));

        assertThatThrownBy(() -> new PlatformModule(settings))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("shutdown.timeout: ")
                .hasMessageContaining(Settings.DEFAULTS_RESOURCE);
    }

    @Test
    void acceptsAShutdownTimeoutJustAboveDrainDelayPlusStopTimeout() {
        Settings settings = Settings.load(Optional.empty(), Map.of(
                "LASTCALL_HTTP_DRAIN_DELAY", "5s",
                "LASTCALL_HTTP_STOP_TIMEOUT", "10s",
                "LASTCALL_SHUTDOWN_TIMEOUT", "15001ms"));

        assertThat(new PlatformModule(settings).stopBudget().total().toMillis()).isEqualTo(15_001);
    }

    @Test
    void rejectsAnUnknownLogLevelNamingTheKey() {
        Settings settings = Settings.load(Optional.empty(), Map.of("LASTCALL_LOG_LEVEL", "LOUD"));

        assertThatThrownBy(() -> new PlatformModule(settings))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("log.level: ")
                .hasMessageContaining("DEBUG, ERROR, INFO, TRACE, WARN")
                .hasMessageContaining("environment variable LASTCALL_LOG_LEVEL");
    }

    @Test
    void acceptsALogLevelInAnyCase() {
        Settings settings = Settings.load(Optional.empty(), Map.of("LASTCALL_LOG_LEVEL", "debug"));

        assertThat(new PlatformModule(settings).processSettings().logLevel()).isEqualTo("DEBUG");
    }
}
