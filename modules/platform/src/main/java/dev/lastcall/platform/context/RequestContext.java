package dev.lastcall.platform.context;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What identifies the request a piece of work runs for: its ID and, when the client sent a valid
 * {@code traceparent}, the request's own span in that trace (a child of the client's span).
 *
 * <p>{@link #call} makes it {@link #current} for the work it runs and puts it in the logging MDC
 * ({@value #REQUEST_ID}, {@value #TRACE_ID}, {@value #SPAN_ID}), and afterwards leaves the MDC as
 * it found it: the thread that handled one request may log for another next.
 */
public record RequestContext(RequestId requestId, Optional<TraceParent> span) {

    public static final String REQUEST_ID = "requestId";
    public static final String TRACE_ID = "traceId";
    public static final String SPAN_ID = "spanId";

    private static final ScopedValue<RequestContext> CURRENT = ScopedValue.newInstance();

    /** The context of a request with this ID whose client's span, if any, is {@code callerSpan}. */
    public static RequestContext of(RequestId requestId, Optional<TraceParent> callerSpan) {
        return new RequestContext(requestId, callerSpan.map(TraceParent::child));
    }

    /** The context of the request the current thread works for, if it works for one. */
    public static Optional<RequestContext> current() {
        return CURRENT.isBound() ? Optional.of(CURRENT.get()) : Optional.empty();
    }

    /** Runs {@code work} with this context current and in the MDC of every line it logs. */
    public <R, X extends Throwable> R call(ScopedValue.CallableOp<? extends R, X> work) throws X {
        try (LogFields ignored = LogFields.put(logFields())) {
            return ScopedValue.where(CURRENT, this).call(work);
        }
    }

    /** Runs {@code work} with this context in the MDC only, e.g. to log for a request that has ended. */
    public void log(Runnable work) {
        try (LogFields ignored = LogFields.put(logFields())) {
            work.run();
        }
    }

    private Map<String, @Nullable String> logFields() {
        Map<String, @Nullable String> fields = new HashMap<>();
        fields.put(REQUEST_ID, requestId.value());
        fields.put(TRACE_ID, span.map(TraceParent::traceId).orElse(null));
        fields.put(SPAN_ID, span.map(TraceParent::spanId).orElse(null));
        return fields;
    }
}
