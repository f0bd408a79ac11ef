package dev.lastcall.platform.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class RequestContextTest {

    private static final TraceParent CALLER = new TraceParent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true);

    @AfterEach
    void clearMdc() {
        MDC.clear();
    }

    @Test
    void theRequestsSpanIsAChildOfTheCallersInTheSameTrace() {
        RequestContext context = RequestContext.of(new RequestId("r1"), Optional.of(CALLER));

        assertThat(context.span()).hasValueSatisfying(span -> {
            assertThat(span.traceId()).isEqualTo(CALLER.traceId());
            assertThat(span.spanId()).isNotEqualTo(CALLER.spanId());
        });
        assertThat(RequestContext.of(new RequestId("r2"), Optional.empty()).span()).isEmpty();
    }

    @Test
    void whileItRunsTheContextIsCurrentAndInTheMdc() {
        RequestContext context = RequestContext.of(new RequestId("r1"), Optional.of(CALLER));

        Map<String, String> mdc = context.call(() -> {
            assertThat(RequestContext.current()).contains(context);
            return MDC.getCopyOfContextMap();
        });

        assertThat(mdc).containsEntry(RequestContext.REQUEST_ID, "r1")
                .containsEntry(RequestContext.TRACE_ID, CALLER.traceId())
                .containsEntry(RequestContext.SPAN_ID, context.span().orElseThrow().spanId());
    }

    @Test
    void afterwardsNothingIsLeftNotEvenAfterAFailure() {
        RequestContext context = RequestContext.of(new RequestId("r1"), Optional.of(CALLER));

        context.call(() -> "done");
        assertThatThrownBy(() -> context.call(() -> {
            throw new IllegalStateException("the request failed");
        })).hasMessage("the request failed");

        assertThat(RequestContext.current()).isEmpty();
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }

    @Test
    void aRequestWithoutTraceLeavesNoTraceOfAnEarlierOneInTheMdcAndRestoresWhatWasThere() {
        MDC.put(RequestContext.REQUEST_ID, "outer");
        MDC.put(RequestContext.TRACE_ID, "outer-trace");
        RequestContext untraced = RequestContext.of(new RequestId("r2"), Optional.empty());

        Map<String, String> inside = untraced.call(MDC::getCopyOfContextMap);

        assertThat(inside).containsEntry(RequestContext.REQUEST_ID, "r2").doesNotContainKey(RequestContext.TRACE_ID);
        assertThat(MDC.getCopyOfContextMap()).containsExactlyInAnyOrderEntriesOf(Map.of(
                RequestContext.REQUEST_ID, "outer", RequestContext.TRACE_ID, "outer-trace"));
    }

    @Test
    void loggingForARequestThatEndedPutsItInTheMdcForThatWorkOnly() {
        RequestContext context = RequestContext.of(new RequestId("r3"), Optional.empty());
        String[] seen = new String[1];

        context.log(() -> seen[0] = MDC.get(RequestContext.REQUEST_ID));

        assertThat(seen[0]).isEqualTo("r3");
        assertThat(RequestContext.current()).isEmpty();
        assertThat(MDC.get(RequestContext.REQUEST_ID)).isNull();
    }
}
