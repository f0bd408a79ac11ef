package dev.lastcall.platform.http.internal;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The proxies ({@code http.trustedProxies}: addresses or CIDR ranges) whose {@code X-Forwarded-For}
 * the access log believes. From a trusted peer, the client is the right-most address in the header
 * that is not itself a trusted proxy (each proxy appends the address it got the request from, and
 * only the trusted ones are known not to lie); if all are trusted, the left-most. An entry that is
 * not an IP address ends the walk: the client is then the last trusted hop. From any other peer the
 * header is ignored.
 */
public record TrustedProxies(List<Range> ranges) {

    /** An address with the number of leading bits that must match; a plain address matches all of them. */
    public record Range(InetAddress network, int prefixLength) {

        boolean contains(InetAddress address) {
            byte[] a = network.getAddress();
            byte[] b = address.getAddress();
            if (a.length != b.length) {
                return false;
            }
            int bits = prefixLength;
            for (int i = 0; i < a.length && bits > 0; i++, bits -= 8) {
                int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
                if ((a[i] & mask) != (b[i] & mask)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return network.getHostAddress() + "/" + prefixLength;
        }
    }

    private static final Pattern DOTTED_QUAD = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

    public static final TrustedProxies NONE = new TrustedProxies(List.of());

    public TrustedProxies {
        ranges = List.copyOf(ranges);
    }

    /**
     * Parses {@code 10.0.0.1}, {@code 10.0.0.0/8}, {@code ::1}, {@code fd00::/8}; never resolves a
     * name.
     *
     * @throws IllegalArgumentException naming the entry that is neither
     */
    static TrustedProxies parse(List<String> entries) {
        List<Range> ranges = new ArrayList<>();
        for (String entry : entries) {
            ranges.add(range(entry.strip()));
        }
        return new TrustedProxies(ranges);
    }

    private static Range range(String entry) {
        int slash = entry.indexOf('/');
        InetAddress address = literal(slash < 0 ? entry : entry.substring(0, slash)).orElseThrow(
                () -> new IllegalArgumentException("'%s' is not an IP address or CIDR range".formatted(entry)));
        int bits = address.getAddress().length * 8;
        if (slash < 0) {
            return new Range(address, bits);
        }
        int prefix;
        try {
            prefix = Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("'%s': the prefix length must be 0 to %d".formatted(entry, bits));
        }
        return new Range(address, prefix);
    }

    boolean trusts(InetAddress address) {
        return ranges.stream().anyMatch(range -> range.contains(address));
    }

    /** The client's address, given the connection's peer and the request's {@code X-Forwarded-For} values. */
    InetAddress client(InetAddress peer, List<String> forwardedFor) {
        if (!trusts(peer)) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String value : forwardedFor) {
            for (String hop : value.split(",")) {
                hops.add(hop.strip());
            }
        }
        InetAddress client = peer;
        for (int i = hops.size() - 1; i >= 0 && trusts(client); i--) {
            Optional<InetAddress> hop = literal(hops.get(i));
            if (hop.isEmpty()) {
                break;
            }
            client = hop.get();
        }
        return client;
    }

    /** An IP address written as one, with or without IPv6 brackets; never a name to look up. */
    static Optional<InetAddress> literal(String text) {
        String address = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        // an IPv6 address has colons; an IPv4 one must have four parts (the JDK also takes "10.1" for 10.0.0.1)
        if (address.indexOf(':') < 0 && !DOTTED_QUAD.matcher(address).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.ofLiteral(address));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
