package dev.lastcall.platform.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TrustedProxiesTest {

    private static final InetAddress PROXY = address("10.0.0.5");
    private static final InetAddress STRANGER = address("198.51.100.20");
    private static final TrustedProxies TRUSTED = TrustedProxies.parse(List.of("10.0.0.0/8", "192.0.2.1", "fd00::/8"));

    @Test
    void addressesAndRangesOfBothFamiliesMatchWhatTheyCover() {
        assertThat(TRUSTED.trusts(address("10.255.1.2"))).isTrue();
        assertThat(TRUSTED.trusts(address("11.0.0.1"))).isFalse();
        assertThat(TRUSTED.trusts(address("192.0.2.1"))).isTrue();
        assertThat(TRUSTED.trusts(address("192.0.2.2"))).isFalse();
        assertThat(TRUSTED.trusts(address("fd12::1"))).isTrue();
        assertThat(TRUSTED.trusts(address("fe80::1"))).isFalse();
        assertThat(TrustedProxies.parse(List.of("172.16.0.0/12")).trusts(address("172.31.255.255"))).isTrue();
        assertThat(TrustedProxies.parse(List.of("172.16.0.0/12")).trusts(address("172.32.0.0"))).isFalse();
        assertThat(TrustedProxies.parse(List.of("0.0.0.0/0")).trusts(STRANGER)).isTrue();
        assertThat(TrustedProxies.NONE.trusts(PROXY)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"proxy.example", "localhost", "10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "::1/129", "", "10.0.0.1/-1"})
    void anythingButAnAddressOrARangeIsRefusedNamingIt(String entry) {
        assertThatThrownBy(() -> TrustedProxies.parse(List.of(entry)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + entry + "'");
    }

    @Test
    void fromAPeerThatIsNoTrustedProxyTheHeaderIsIgnored() {
        assertThat(TRUSTED.client(STRANGER, List.of("203.0.113.7"))).isEqualTo(STRANGER);
        assertThat(TrustedProxies.NONE.client(PROXY, List.of("203.0.113.7"))).isEqualTo(PROXY);
    }

    @Test
    void fromATrustedProxyTheClientIsTheRightMostAddressThatIsNoTrustedProxy() {
        assertThat(TRUSTED.client(PROXY, List.of("203.0.113.7"))).isEqualTo(address("203.0.113.7"));
        // the left-most entry is whatever the client claimed; only what trusted proxies appended counts
        assertThat(TRUSTED.client(PROXY, List.of("1.2.3.4, 203.0.113.7, 10.0.0.9"))).isEqualTo(address("203.0.113.7"));
        assertThat(TRUSTED.client(PROXY, List.of("1.2.3.4", "203.0.113.7"))).isEqualTo(address("203.0.113.7"));
        assertThat(TRUSTED.client(PROXY, List.of("[2001:db8::1]"))).isEqualTo(address("2001:db8::1"));
    }

    @Test
    void whenEveryHopIsTrustedTheClientIsTheLeftMost() {
        assertThat(TRUSTED.client(PROXY, List.of("10.1.1.1, 10.2.2.2"))).isEqualTo(address("10.1.1.1"));
        assertThat(TRUSTED.client(PROXY, List.of())).isEqualTo(PROXY);
    }

    @Test
    void anEntryThatIsNoAddressEndsTheWalkAtTheLastTrustedHop() {
        assertThat(TRUSTED.client(PROXY, List.of("203.0.113.7, unknown, 10.2.2.2"))).isEqualTo(address("10.2.2.2"));
        assertThat(TRUSTED.client(PROXY, List.of("evil.example"))).isEqualTo(PROXY);
    }

    private static InetAddress address(String literal) {
        return InetAddress.ofLiteral(literal);
    }
}
