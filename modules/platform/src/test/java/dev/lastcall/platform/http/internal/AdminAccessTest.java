package dev.lastcall.platform.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lastcall.platform.PlatformModule;
import dev.lastcall.platform.config.ConfigError;
import dev.lastcall.platform.config.Settings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code admin.tokens} against {@code admin.host}: the rules of {@code api.tokens}, for the admin port. */
class AdminAccessTest {

    private static Settings settings(String... environment) {
        Map<String, String> variables = new HashMap<>();
        for (int i = 0; i < environment.length; i += 2) {
            variables.put(environment[i], environment[i + 1]);
        }
        return Settings.load(Optional.empty(), variables);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::", "192.0.2.10"})
    void refusesAnOpenAdminPortBeyondLoopback(String host) {
        assertThatThrownBy(() -> new PlatformModule(settings("LASTCALL_ADMIN_HOST", host)))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("admin.tokens: must be set when admin.host is not a loopback address")
                .hasMessageContaining(host)
                .hasMessageContaining("LASTCALL_ADMIN_TOKENS");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "localhost", "::1"})
    void allowsAnOpenAdminPortOnLoopback(String host) {
        assertThatCode(() -> new PlatformModule(settings("LASTCALL_ADMIN_HOST", host))).doesNotThrowAnyException();
    }

    @Test
    void allowsAnyAdminHostWithTokens() {
        assertThatCode(() -> new PlatformModule(settings("LASTCALL_ADMIN_HOST", "0.0.0.0",
                "LASTCALL_ADMIN_TOKENS", "an-admin-token-0123"))).doesNotThrowAnyException();
    }

    @Test
    void apiTokensDoNotCountForTheAdminPort() {
        assertThatThrownBy(() -> new PlatformModule(settings("LASTCALL_ADMIN_HOST", "0.0.0.0",
                "LASTCALL_API_TOKENS", "an-api-token-0123456")))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("admin.tokens: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"short", "has a space in this token", "an-admin-token-0123,tiny"})
    void refusesTokensThatAreTooShortOrNotVisibleAsciiWithoutShowingThem(String tokens) {
        assertThatThrownBy(() -> new PlatformModule(settings("LASTCALL_ADMIN_TOKENS", tokens)))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("admin.tokens: token")
                .hasMessageContaining("LASTCALL_ADMIN_TOKENS")
                .hasMessageNotContaining("tiny")
                .hasMessageNotContaining("an-admin-token-0123");
    }

    @Test
    void acceptsOnlyOneBearerHeaderWithOneOfTheTokens() {
        AdminAccess access = new AdminAccess(settings("LASTCALL_ADMIN_TOKENS", "an-admin-token-0123,another-admin-token"));

        assertThat(access.allows(List.of("Bearer an-admin-token-0123"))).isTrue();
        assertThat(access.allows(List.of("bearer another-admin-token"))).isTrue();
        assertThat(access.allows(List.of())).isFalse();
        assertThat(access.allows(List.of("Bearer an-admin-token-0124"))).isFalse();
        assertThat(access.allows(List.of("Bearer an-admin-token-0123", "Bearer an-admin-token-0123"))).isFalse();
    }

    @Test
    void withoutTokensEveryRequestPasses() {
        assertThat(new AdminAccess(settings()).allows(List.of())).isTrue();
    }
}
