package dev.lastcall.ledger;

import dev.lastcall.platform.http.ProblemException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The {@code Idempotency-Key} of a transfer request: 1 to 255 visible ASCII characters. */
record IdempotencyKey(String value) {

    static final String HEADER = "Idempotency-Key";
    static final int MAX_LENGTH = 255;

    /**
     * @throws ProblemException 400 {@code idempotency_key_required} when the header is missing or
     *     empty, 400 {@code invalid_request} when it is sent twice or is not 1–255 visible ASCII
     */
    static IdempotencyKey from(@Nullable Enumeration<String> headers) {
        List<String> values = headers == null ? List.of() : Collections.list(headers);
        if (values.isEmpty() || values.size() == 1 && values.getFirst().isEmpty()) {
            throw new ProblemException(400, "idempotency_key_required", "Idempotency key required",
                    "send an Idempotency-Key header (1 to 255 visible ASCII characters), unique per transfer");
        }
        if (values.size() > 1) {
            throw ProblemException.badRequest("send one Idempotency-Key header, not " + values.size());
        }
        String value = values.getFirst();
        if (value.length() > MAX_LENGTH || !value.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            throw ProblemException.badRequest("the Idempotency-Key header must be 1 to 255 visible ASCII characters");
        }
        return new IdempotencyKey(value);
    }
}
