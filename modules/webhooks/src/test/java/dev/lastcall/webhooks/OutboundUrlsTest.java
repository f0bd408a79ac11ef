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
            "https://203.0.113.7/hooks#fragment", "https:///hooks", "http://203.0.113.7:99999/", "http://203.0.113.7:0/"})
    void refusesWhatIsNotAnAbsoluteHttpUrl(String url) {
        assertThatThrownBy(() -> urls(true).forSubscription(url))
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.problem().status()).isEqualTo(400);
                    assertThat(e.problem().code()).isEqualTo("invalid_url");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://0177.0.0.1/", "http://0x7f.1/", "http://0x7F.0.0.1/", "http://2130706433/",
            "http://127.1/", "http://127.0.1/", "http://017700000001/", "http://127.0.0.01/", "http://127.0.0.1./",
            "http://203.0.113.07/", "http://0xcb.0.113.7/", "http://3405803783/", "http://256.0.0.1/",
            "http://1.2.3.4.5/", "http://example.0x10/", "http://example.123/"})
    void refusesEveryNonCanonicalIpv4NotationEvenWithPrivateNetworksAllowed(String url) {
        // java.net.URI finds no host in most of these (its last label must begin with a letter); the rest Ipv4Notation refuses

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
