package dev.lastcall.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressPolicyTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            "127.0.0.1, loopback",
            "127.255.0.9, loopback",
            "10.0.0.1, private",
            "172.16.0.1, private",
            "172.31.255.255, private",
            "192.168.1.1, private",
            "100.64.0.1, private",
            "169.254.169.254, link-local",
            "0.0.0.0, unspecified",
            "224.0.0.1, multicast",
            "239.255.255.250, multicast",
            "255.255.255.255, broadcast",
            "::1, loopback",
            "::, unspecified",
            "fe80::1, link-local",
            "fc00::1, private",
            "fd12:3456::1, private",
            "fec0::1, private",
            "ff02::1, multicast",
            "::ffff:10.0.0.1, private",
            "::ffff:127.0.0.1, loopback",
            "::10.0.0.1, private",
            "64:ff9b::a00:1, private",
            "64:ff9b::7f00:1, loopback",
            "2002:a00:1::, private",
            "2002:a9fe:a9fe::, link-local",
    })
    void refusesAddressesInsideOrAroundTheHost(String address, String reason) throws UnknownHostException {
        assertThat(AddressPolicy.refusal(InetAddress.getByName(address))).contains(reason);
    }

    @ParameterizedTest(name = "{0} is public")
    @CsvSource({
            "8.8.8.8",
            "172.32.0.1",
            "172.15.255.255",
            "100.128.0.1",
            "192.169.0.1",
            "203.0.113.7",
            "2001:4860:4860::8888",
            "2002:808:808::",
            "64:ff9b::808:808",
    })
    void allowsPublicAddresses(String address) throws UnknownHostException {
        assertThat(AddressPolicy.refusal(InetAddress.getByName(address))).isEmpty();
    }
}
