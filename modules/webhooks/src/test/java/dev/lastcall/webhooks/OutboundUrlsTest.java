package dev.lastcall.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lastcall.platform.http.ProblemException;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutboundUrlsTest {

    private static OutboundUrls urls(boolean allowPrivateNetworks) {
        return new OutboundUrls(new WebhookSettings(allowPrivateNetworks, Duration.ofSeconds(1), Duration.ofSeconds(2),
                3, Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1), 10));
    }

    @ParameterizedTest
    @ValueSource(strings = {"not a url", "/relative/path", "example.com/hooks", "mailto:ops@example.com",
            "ftp://203.0.113.7/hooks", "file:///etc/passwd", "https://user:secret@203.0.113.7/hooks",
            "https://203.0.113.7/hooks#fragment", "https:///hooks"})
    void refusesWhatIsNotAnAbsoluteHttpUrl(String url) {
        assertThatThrownBy(() -> urls(true).forSubscription(url))
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.problem().status()).isEqualTo(400);
                    assertThat(e.problem().code()).isEqualTo("invalid_url");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080/hooks", "http://10.1.2.3/", "https://[::1]/hooks",
            "http://169.254.169.254/latest/meta-data", "http://[fd00::1]/", "http://0.0.0.0/", "http://localhost/"})
    void refusesPrivateAddressesUnlessAllowed(String url) {
        assertThatThrownBy(() -> urls(false).forSubscription(url))
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.problem().status()).isEqualTo(422);
                    assertThat(e.problem().code()).isEqualTo("private_address");
                });
        assertThat(urls(true).forSubscription(url)).isEqualTo(URI.create(url));
    }

    @Test
    void acceptsAPublicHttpsUrl() {
        assertThat(urls(false).forSubscription("https://203.0.113.7:8443/hooks?x=1"))
                .isEqualTo(URI.create("https://203.0.113.7:8443/hooks?x=1"));
    }
}
