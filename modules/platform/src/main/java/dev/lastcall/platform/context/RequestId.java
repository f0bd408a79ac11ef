package dev.lastcall.platform.context;

import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A request's ID: taken from the client's {@code X-Request-Id} when that is valid (1 to 128
 * characters of {@code A-Z a-z 0-9 . _ : -}, sent once), otherwise a new random UUID. An invalid
 * value is dropped, never echoed or logged: it could carry anything, line breaks included.
 */
public record RequestId(String value) {

    public static final String HEADER = "X-Request-Id";

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    public RequestId {
        if (!VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("not a valid request ID");
        }
    }

    /** The one {@code X-Request-Id} the client sent if it is valid, else a new one. */
    public static RequestId fromHeaders(List<String> values) {
        if (values.size() == 1 && VALID.matcher(values.getFirst()).matches()) {
            return new RequestId(values.getFirst());
        }
        return generate();
    }

    public static RequestId generate() {
        return new RequestId(UUID.randomUUID().toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
