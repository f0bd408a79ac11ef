package dev.lastcall.ledger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.jspecify.annotations.Nullable;

/** A valid transfer request. */
record NewTransfer(String from, String to, long amount, String currency, @Nullable String reference) {

    /**
     * The SHA-256 of the request in a canonical form, so that the same transfer sent with other
     * whitespace or field order is the same request. Codes and currencies cannot hold a newline and
     * the reference comes last, so the form is unambiguous.
     */
    byte[] fingerprint() {
        String canonical = String.join("\n", "POST /v1/transfers", from, to, Long.toString(amount), currency,
                reference == null ? "-" : "=" + reference);
        try {
            return MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
