package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.config.EnvironmentNames;
import dev.lastcall.platform.config.Settings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;

/**
 * The bearer tokens of one setting ({@code api.tokens}, {@code admin.tokens}): each at least 16
 * visible ASCII characters without commas, checked when read; a presented token is compared with
 * every one of them in constant time.
 */
final class BearerTokens {

    static final int MIN_TOKEN_LENGTH = 16;
    private static final String SCHEME = "Bearer";

    private final List<byte[]> digests;

    private BearerTokens(List<byte[]> digests) {
        this.digests = digests;
    }

    /** @throws dev.lastcall.platform.config.ConfigError naming {@code key} (never a token) when one is malformed */
    static BearerTokens from(Settings settings, String key) {
        List<String> tokens = settings.strings(key).stream().map(String::strip).toList();
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            if (token.length() < MIN_TOKEN_LENGTH || !token.chars().allMatch(c -> c > ' ' && c < 0x7f && c != ',')) {
                throw settings.invalid(key, "token %d of %d must be at least %d visible ASCII characters without commas"
                        .formatted(i + 1, tokens.size(), MIN_TOKEN_LENGTH));
            }
        }
        return new BearerTokens(tokens.stream().map(BearerTokens::sha256).toList());
    }

    /**
     * Reads the tokens of {@code key}, which may be empty only while {@code hostKey} is a loopback
     * address.
     *
     * @param risk what anyone who reaches the port could do without tokens, for the message
     */
    static BearerTokens requiredBeyondLoopback(Settings settings, String key, String hostKey, String risk) {
        BearerTokens tokens = from(settings, key);
        String host = settings.string(hostKey);
        if (tokens.none() && !isLoopback(host)) {
            throw settings.invalid(key, "must be set when %s is not a loopback address (it is %s): without tokens %s; set %s"
                    .formatted(hostKey, host, risk, EnvironmentNames.of(key)));
        }
        return tokens;
    }

    boolean none() {
        return digests.isEmpty();
    }

    /** Whether the request's {@code Authorization} header values (all of them) carry one of the tokens. */
    boolean allow(List<String> authorization) {
        if (none()) {
            return true;
        }
        if (authorization.size() != 1) {
            return false;
        }
        String value = authorization.getFirst();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).equalsIgnoreCase(SCHEME)) {
            return false;
        }
        byte[] presented = sha256(value.substring(space + 1).strip());
        boolean match = false;
        // Compares with every token and without short-circuit, so the time says nothing about which matched.
        for (byte[] token : digests) {
            match |= MessageDigest.isEqual(token, presented);
        }
        return match;
    }

    static boolean isLoopback(String host) {
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            return addresses.length > 0 && Arrays.stream(addresses).allMatch(InetAddress::isLoopbackAddress);
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
