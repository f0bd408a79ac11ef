package dev.lastcall.platform.http;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code Content-Type} a JSON request body may carry: {@code application/json}, with no
 * parameter but {@code charset=utf-8} (RFC 8259 §8.1: JSON is UTF-8).
 */
final class JsonMediaType {

    private static final String MEDIA_TYPE = "application/json";

    private JsonMediaType() {}

    /** Why the given {@code Content-Type} header values are refused; empty when they are accepted. */
    static Optional<String> refusal(List<String> headers) {
        if (headers.size() != 1) {
            return Optional.of(headers.isEmpty() ? "the request body must be application/json, sent with Content-Type"
                    : "give Content-Type once");
        }
        String[] parts = headers.getFirst().split(";", -1);
        if (!parts[0].strip().equalsIgnoreCase(MEDIA_TYPE)) {
            return Optional.of("the request body must be application/json");
        }
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].strip();
            if (!parameter.isEmpty() && !isUtf8Charset(parameter)) {
                return Optional.of("application/json takes no parameter but charset=utf-8");
            }
        }
        return Optional.empty();
    }

    private static boolean isUtf8Charset(String parameter) {
        int equals = parameter.indexOf('=');
        if (equals < 0) {
            return false;
        }
        String name = parameter.substring(0, equals).strip();
        String value = parameter.substring(equals + 1).strip();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        return name.toLowerCase(Locale.ROOT).equals("charset") && value.toLowerCase(Locale.ROOT).equals("utf-8");
    }
}
