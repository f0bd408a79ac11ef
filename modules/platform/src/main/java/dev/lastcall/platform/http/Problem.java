package dev.lastcall.platform.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * An RFC 9457 problem detail, with the extension member {@code code}: a stable, machine-readable
 * name for the error (e.g. {@code insufficient_funds}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, @Nullable String detail, String code) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(int status, String code, String title, @Nullable String detail) {
        return new Problem("urn:lastcall:problem:" + code, title, status, detail, code);
    }
}
