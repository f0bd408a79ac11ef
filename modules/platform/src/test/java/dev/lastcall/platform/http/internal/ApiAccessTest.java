package dev.lastcall.platform.http.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lastcall.platform.PlatformModule;
import dev.lastcall.platform.config.ConfigError;
import dev.lastcall.platform.config.Settings;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code api.tokens} against {@code http.host}, checked once by the platform for every module under {@code /v1}. */
class ApiAccessTest {

    private static Settings settings(String... environment) {
        Map<String, String> variables = new HashMap<>();
        for (int i = 0; i < environment.length; i += 2) {
            variables.put(environment[i], environment[i + 1]);
        }
        return Settings.load(Optional.empty(), variables);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::", "192.0.2.10"})
    void refusesAnOpenApiBeyondLoopback(String host) {
        assertThatThrownBy(() -> new PlatformModule(settings("LASTCALL_HTTP_HOST", host)))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("api.tokens: must be set")
                .hasMessageContaining(host);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "localhost", "::1", "127.0.0.2"})
    void allowsAnOpenApiOnLoopback(String host) {
        assertThatCode(() -> new PlatformModule(settings("LASTCALL_HTTP_HOST", host))).doesNotThrowAnyException();
    }

    @Test
    void allowsAnyHostWithTokens() {
        assertThatCode(() -> new PlatformModule(settings("LASTCALL_HTTP_HOST", "0.0.0.0",
                "LASTCALL_API_TOKENS", "a-long-enough-token,another-long-token"))).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"short", "a-long-enough-token,,another-long-token", "has a space in this token",
            "a-long-enough-token,tiny"})
    void refusesTokensThatAreTooShortOrNotVisibleAscii(String tokens) {
        assertThatThrownBy(() -> new PlatformModule(settings("LASTCALL_API_TOKENS", tokens)))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("api.tokens: token")
                .hasMessageContaining("LASTCALL_API_TOKENS")
                .hasMessageNotContaining("tiny")
                .hasMessageNotContaining("a-long-enough-token");
    }
}
