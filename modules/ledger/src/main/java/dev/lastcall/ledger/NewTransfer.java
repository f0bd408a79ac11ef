package dev.lastcall.ledger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.jspecify.annotations.Nullable;

/** A valid transfer request. */
record NewTransfer(String from, String to, long amount, String currency, @Nullable String reference) {

    /** Cloned for each use: looking SHA-256 up among the security providers costs more than hashing a request. */
    private static final MessageDigest SHA_256;

    static {
        try {
            SHA_256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * The SHA-256 of the request in a canonical form, so that the same transfer sent with other
     * whitespace or field order is the same request. Codes and currencies cannot hold a newline and
     * the reference comes last, so the form is unambiguous.
     */
    byte[] fingerprint() {
        String canonical = String.join("\n", "POST /v1/transfers", from, to, Long.toString(amount), currency,
                reference == null ? "-" : "=" + reference);
        return sha256().digest(canonical.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest sha256() {
        try {
            return (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException providerCannotClone) {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
        }
    }
}
