package dev.lastcall.platform.context;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A span in a W3C Trace Context trace, as the {@code traceparent} header carries it:
 * {@code 00-<trace-id>-<span-id>-<flags>}.
 *
 * @param traceId 32 lowercase hex digits, not all zero
 * @param spanId 16 lowercase hex digits, not all zero: the header's {@code parent-id}, the span of
 *     whoever sends it
 * @param sampled the {@code sampled} flag, passed on as it came
 */
public record TraceParent(String traceId, String spanId, boolean sampled) {

    public static final String HEADER = "traceparent";

    private static final int VERSION_00_LENGTH = 55;
    private static final String ZERO_TRACE = "0".repeat(32);
    private static final String ZERO_SPAN = "0".repeat(16);
    private static final HexFormat HEX = HexFormat.of();

    public TraceParent {
        if (!isHex(traceId, 32) || traceId.equals(ZERO_TRACE) || !isHex(spanId, 16) || spanId.equals(ZERO_SPAN)) {
            throw new IllegalArgumentException("not a valid trace or span ID");
        }
    }

    /**
     * The span a valid header names. Per the specification, a value that does not parse is ignored,
     * and so are several {@code traceparent} headers; a version above 00 is read as 00 where its
     * first 55 characters allow.
     */
    public static Optional<TraceParent> fromHeaders(List<String> values) {
        return values.size() == 1 ? parse(values.getFirst()) : Optional.empty();
    }

    public static Optional<TraceParent> parse(String header) {
        String value = header.strip();
        if (value.length() < VERSION_00_LENGTH || !isHex(value.substring(0, 2), 2) || value.startsWith("ff")) {
            return Optional.empty();
        }
        boolean version00 = value.startsWith("00");
        if (version00 ? value.length() != VERSION_00_LENGTH
                : value.length() > VERSION_00_LENGTH && value.charAt(VERSION_00_LENGTH) != '-') {
            return Optional.empty();
        }
        if (value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-') {
            return Optional.empty();
        }
        String traceId = value.substring(3, 35);
        String spanId = value.substring(36, 52);
        String flags = value.substring(53, 55);
        if (!isHex(traceId, 32) || traceId.equals(ZERO_TRACE) || !isHex(spanId, 16) || spanId.equals(ZERO_SPAN)
                || !isHex(flags, 2)) {
            return Optional.empty();
        }
        return Optional.of(new TraceParent(traceId, spanId, (HexFormat.fromHexDigits(flags) & 1) == 1));
    }

    /** A new span in the same trace whose parent is this one. */
    public TraceParent child() {
        return new TraceParent(traceId, newSpanId(), sampled);
    }

    /** The header that names this span as the parent of the receiver's. */
    public String header() {
        return "00-%s-%s-%s".formatted(traceId, spanId, sampled ? "01" : "00");
    }

    @Override
    public String toString() {
        return header();
    }

    private static String newSpanId() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return HEX.toHexDigits(id);
    }

    private static boolean isHex(String value, int length) {
        if (value.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
