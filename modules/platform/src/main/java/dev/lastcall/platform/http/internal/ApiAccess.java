package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.config.Settings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Who may call the public API under {@code /v1}. With {@code api.tokens} set, a request needs
 * {@code Authorization: Bearer <one of them>}, compared in constant time; with none, the API is
 * open, which is allowed only while {@code http.host} is a loopback address. The platform calls
 * {@link #check} once, for every module that serves {@code /v1}, so a bad setting stops the start
 * as a configuration error before anything runs.
 */
@Singleton
public final class ApiAccess {

    /** The paths this guards. */
    public static final String PATH_SPEC = "/v1/*";
    static final String PREFIX = "/v1/";
    private static final String KEY = "api.tokens";

    private final BearerTokens tokens;

    @Inject
    ApiAccess(Settings settings) {
        this.tokens = BearerTokens.from(settings, KEY);
    }

    /**
     * Validates {@code api.tokens} against {@code http.host}.
     *
     * @throws dev.lastcall.platform.config.ConfigError naming {@code api.tokens} when a token is
     *     malformed, or when there is none and the API would listen beyond loopback
     */
    public static void check(Settings settings) {
        BearerTokens.requiredBeyondLoopback(settings, KEY, "http.host", "anyone who reaches the port can move money");
    }

    /** True when no tokens are configured and every request passes. */
    public boolean open() {
        return tokens.none();
    }

    /** Whether the request's {@code Authorization} headers (all of them) grant access. */
    boolean allows(@Nullable Enumeration<String> authorization) {
        return tokens.allow(authorization == null ? List.of() : Collections.list(authorization));
    }
}
