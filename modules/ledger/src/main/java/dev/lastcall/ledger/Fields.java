package dev.lastcall.ledger;

import dev.lastcall.platform.http.ProblemException;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** The shapes of the API's values; each failed check is a 400 {@code invalid_request} naming the field. */
final class Fields {

    static final long MAX_AMOUNT = 9_007_199_254_740_991L;
    static final int MAX_REFERENCE_LENGTH = 255;
    private static final Pattern ACCOUNT_CODE = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    private Fields() {}

    static <T> T required(String field, @Nullable T value) {
        if (value == null) {
            throw ProblemException.badRequest("field '%s' is required".formatted(field));
        }
        return value;
    }

    static String accountCode(String field, @Nullable String value) {
        String code = required(field, value);
        // "." and ".." fit the character rule, but no URL path could name them.
        if (!isAccountCode(code) || code.equals(".") || code.equals("..")) {
            throw ProblemException.badRequest(
                    "field '%s' must be 1 to 64 characters of A-Z a-z 0-9 _ . : - (and not . or ..)".formatted(field));
        }
        return code;
    }

    static boolean isAccountCode(String value) {
        return ACCOUNT_CODE.matcher(value).matches();
    }

    static String currency(String field, @Nullable String value) {
        String currency = required(field, value);
        if (!CURRENCY.matcher(currency).matches()) {
            throw ProblemException.badRequest(
                    "field '%s' must be an ISO 4217 currency code: three capital letters".formatted(field));
        }
        return currency;
    }

    static long amount(String field, @Nullable Long value) {
        long amount = required(field, value);
        if (amount < 1 || amount > MAX_AMOUNT) {
            throw ProblemException.badRequest(
                    "field '%s' must be an integer from 1 to %d (minor units)".formatted(field, MAX_AMOUNT));
        }
        return amount;
    }

    static @Nullable String reference(String field, @Nullable String value) {
        if (value == null) {
            return null;
        }
        if (value.codePointCount(0, value.length()) > MAX_REFERENCE_LENGTH) {
            throw ProblemException.badRequest(
                    "field '%s' must be at most %d characters".formatted(field, MAX_REFERENCE_LENGTH));
        }
        if (!isPrintableText(value)) {
            throw ProblemException.badRequest(
                    "field '%s' must be text without control characters".formatted(field));
        }
        return value;
    }

    /** No control characters (PostgreSQL refuses NUL) and no lone surrogates (not encodable as UTF-8). */
    private static boolean isPrintableText(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                return false;
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
