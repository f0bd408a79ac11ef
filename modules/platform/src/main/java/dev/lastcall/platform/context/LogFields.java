package dev.lastcall.platform.context;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * MDC entries set for a while: {@link #close} restores each key to what it was before, or removes
 * it, so nothing outlives the work it was set for.
 */
public final class LogFields implements AutoCloseable {

    private final Map<String, @Nullable String> before = new HashMap<>();

    private LogFields() {}

    /** Sets each key to its value; a null value removes the key until {@link #close}. */
    public static LogFields put(Map<String, ? extends @Nullable String> fields) {
        LogFields set = new LogFields();
        fields.forEach((key, value) -> {
            set.before.put(key, MDC.get(key));
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        });
        return set;
    }

    /** Puts {@code span}'s trace and span ID, for work done in a trace outside any request; none when empty. */
    public static LogFields span(Optional<TraceParent> span) {
        Map<String, @Nullable String> fields = new HashMap<>();
        fields.put(RequestContext.TRACE_ID, span.map(TraceParent::traceId).orElse(null));
        fields.put(RequestContext.SPAN_ID, span.map(TraceParent::spanId).orElse(null));
        return put(fields);
    }

    @Override
    public void close() {
        before.forEach((key, value) -> {
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        });
    }
}
