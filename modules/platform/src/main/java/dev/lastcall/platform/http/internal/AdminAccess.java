package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.config.Settings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Who may use the admin port. With {@code admin.tokens} set, every request to it needs {@code
 * Authorization: Bearer <one of them>}; with none, it is open, which is allowed only while {@code
 * admin.host} is a loopback address. The same rules as {@link ApiAccess}, with tokens of its own,
 * so that a token for the API opens no thread dump and an operator's token moves no money.
 */
@Singleton
public final class AdminAccess {

    private static final String KEY = "admin.tokens";

    private final BearerTokens tokens;

    @Inject
    AdminAccess(Settings settings) {
        this.tokens = BearerTokens.from(settings, KEY);
    }

    /**
     * Validates {@code admin.tokens} against {@code admin.host}.
     *
     * @throws dev.lastcall.platform.config.ConfigError naming {@code admin.tokens} when a token is
     *     malformed, or when there is none and the admin port would listen beyond loopback
     */
    public static void check(Settings settings) {
        BearerTokens.requiredBeyondLoopback(settings, KEY, "admin.host",
                "anyone who reaches the port can read the settings and the threads");
    }

    boolean allows(List<String> authorization) {
        return tokens.allow(authorization);
    }
}
