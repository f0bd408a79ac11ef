package dev.lastcall.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lastcall.platform.config.ConfigError;
import dev.lastcall.platform.config.Settings;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LedgerModuleTest {

    private static Settings settings(String... environment) {
        Map<String, String> variables = new HashMap<>();
        for (int i = 0; i < environment.length; i += 2) {
            variables.put(environment[i], environment[i + 1]);
        }
        return Settings.load(Optional.empty(), variables);
    }

    @Test
    void refusesAnIdempotencyTtlOfZero() {
        assertThatThrownBy(() -> new LedgerModule(settings("LASTCALL_LEDGER_IDEMPOTENCY_TTL", "0s")))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("ledger.idempotencyTtl:");
    }

    @Test
    void theDefaultIdempotencyTtlIsADay() {
        assertThat(LedgerSettings.from(settings()).idempotencyTtl()).hasHours(24);
    }
}
