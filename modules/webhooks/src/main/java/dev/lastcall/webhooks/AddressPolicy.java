package dev.lastcall.webhooks;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Optional;

/**
 * Which addresses a webhook may not reach unless private networks are allowed: loopback,
 * link-local, private (RFC 1918, shared 100.64/10, unique local fc00::/7, site-local fec0::/10),
 * unspecified, broadcast and multicast. IPv6 forms that carry an IPv4 address (mapped, compatible,
 * NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by that address.
 */
final class AddressPolicy {

    private AddressPolicy() {}

    /** Why the address is refused (e.g. "loopback"), or empty when it is a public address. */
    static Optional<String> refusal(InetAddress address) {
        byte[] bytes = address.getAddress();
        return address instanceof Inet4Address ? ipv4(bytes) : ipv6(bytes);
    }

    private static Optional<String> ipv4(byte[] b) {
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (first == 0) {
            return Optional.of("unspecified");
        }
        if (first == 127) {
            return Optional.of("loopback");
        }
        if (first == 10 || (first == 172 && (second & 0xf0) == 16) || (first == 192 && second == 168)
                || (first == 100 && (second & 0xc0) == 64)) {
            return Optional.of("private");
        }
        if (first == 169 && second == 254) {
            return Optional.of("link-local");
        }
        if ((first & 0xf0) == 224) {
            return Optional.of("multicast");
        }
        if (Arrays.equals(b, new byte[] {-1, -1, -1, -1})) {
            return Optional.of("broadcast");
        }
        return Optional.empty();
    }

    private static Optional<String> ipv6(byte[] b) {
        if (allZero(b, 0, 15) && b[15] == 0) {
            return Optional.of("unspecified");
        }
        if (allZero(b, 0, 15) && b[15] == 1) {
            return Optional.of("loopback");
        }
        if (allZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return ipv4(Arrays.copyOfRange(b, 12, 16));
        }
        if (allZero(b, 0, 12)) {
            return ipv4(Arrays.copyOfRange(b, 12, 16));
        }
        if (b[0] == 0x00 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && allZero(b, 4, 12)) {
            return ipv4(Arrays.copyOfRange(b, 12, 16));
        }
        if (b[0] == 0x20 && b[1] == 0x02) {
            return ipv4(Arrays.copyOfRange(b, 2, 6));
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (first == 0xff) {
            return Optional.of("multicast");
        }
        if (first == 0xfe && (second & 0xc0) == 0x80) {
            return Optional.of("link-local");
        }
        if ((first & 0xfe) == 0xfc || (first == 0xfe && (second & 0xc0) == 0xc0)) {
            return Optional.of("private");
        }
        return Optional.empty();
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
