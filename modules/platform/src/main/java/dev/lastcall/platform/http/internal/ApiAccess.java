package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.config.Settings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Who may call the public API under {@code /v1}. With {@code api.tokens} set, a request needs
 * {@code Authorization: Bearer <one of them>}, compared in constant time; with none, the API is
 * open, which is allowed only while {@code http.host} is a loopback address. Every module that
 * serves {@code /v1} calls {@link #check} from its constructor, so a bad setting stops the start as
 * a configuration error before anything runs.
 */
@Singleton
public final class ApiAccess {

    /** The paths this guards. */
    public static final String PATH_SPEC = "/v1/*";
    static final String PREFIX = "/v1/";
    static final int MIN_TOKEN_LENGTH = 16;
    private static final String KEY = "api.tokens";
    private static final String SCHEME = "Bearer";

    private final List<byte[]> tokenDigests;

    @Inject
    ApiAccess(Settings settings) {
        this.tokenDigests = tokens(settings).stream().map(ApiAccess::sha256).toList();
    }

    /**
     * Validates {@code api.tokens} against {@code http.host}.
     *
     * @throws dev.lastcall.platform.config.ConfigError naming {@code api.tokens} when a token is
     *     malformed, or when there is none and the API would listen beyond loopback
     */
    public static void check(Settings settings) {
        List<String> tokens = tokens(settings);
        String host = settings.string("http.host");
        if (tokens.isEmpty() && !isLoopback(host)) {
            throw settings.invalid(KEY, ("must be set when http.host is not a loopback address (it is %s): without"
                    + " tokens anyone who reaches the port can move money; set LASTCALL_API_TOKENS").formatted(host));
        }
    }

    /** True when no tokens are configured and every request passes. */
    public boolean open() {
        return tokenDigests.isEmpty();
    }

    /** Whether the request's {@code Authorization} headers (all of them) grant access. */
    boolean allows(@Nullable Enumeration<String> authorization) {
        if (open()) {
            return true;
        }
        List<String> values = authorization == null ? List.of() : Collections.list(authorization);
        if (values.size() != 1) {
            return false;
        }
        String value = values.getFirst();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).equalsIgnoreCase(SCHEME)) {
            return false;
        }
        byte[] presented = sha256(value.substring(space + 1).strip());
        boolean match = false;
        // Compares with every token and without short-circuit, so the time says nothing about which matched.
        for (byte[] token : tokenDigests) {
            match |= MessageDigest.isEqual(token, presented);
        }
        return match;
    }

    private static List<String> tokens(Settings settings) {
        List<String> tokens = settings.strings(KEY).stream().map(String::strip).toList();
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            if (token.length() < MIN_TOKEN_LENGTH || !token.chars().allMatch(c -> c > ' ' && c < 0x7f && c != ',')) {
                throw settings.invalid(KEY, "token %d of %d must be at least %d visible ASCII characters without commas"
                        .formatted(i + 1, tokens.size(), MIN_TOKEN_LENGTH));
            }
        }
        return tokens;
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
