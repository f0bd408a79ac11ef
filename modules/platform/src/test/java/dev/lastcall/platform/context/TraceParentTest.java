package dev.lastcall.platform.context;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceParentTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN = "00f067aa0ba902b7";

    @Test
    void aValidHeaderNamesItsTraceSpanAndSampledFlag() {
        assertThat(TraceParent.parse("00-%s-%s-01".formatted(TRACE, SPAN)))
                .contains(new TraceParent(TRACE, SPAN, true));
        assertThat(TraceParent.parse(" 00-%s-%s-00 ".formatted(TRACE, SPAN)))
                .contains(new TraceParent(TRACE, SPAN, false));
    }

    @Test
    void aLaterVersionIsReadAsVersion00WhereItsFirstFieldsAllow() {
        assertThat(TraceParent.parse("cc-%s-%s-01-what-the-future-adds".formatted(TRACE, SPAN)))
                .contains(new TraceParent(TRACE, SPAN, true));
        assertThat(TraceParent.parse("cc-%s-%s-01".formatted(TRACE, SPAN))).isPresent();
        assertThat(TraceParent.parse("cc-%s-%s-01x".formatted(TRACE, SPAN))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "garbage",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
    })
    void anythingElseIsIgnored(String header) {
        assertThat(TraceParent.parse(header)).isEmpty();
    }

    @Test
    void twoHeadersAreIgnored() {
        String header = "00-%s-%s-01".formatted(TRACE, SPAN);

        assertThat(TraceParent.fromHeaders(List.of(header, header))).isEmpty();
        assertThat(TraceParent.fromHeaders(List.of(header))).isPresent();
        assertThat(TraceParent.fromHeaders(List.of())).isEmpty();
    }

    @Test
    void aChildIsANewSpanInTheSameTraceWithTheSameFlag() {
        TraceParent parent = new TraceParent(TRACE, SPAN, true);

        TraceParent child = parent.child();

        assertThat(child.traceId()).isEqualTo(TRACE);
        assertThat(child.spanId()).matches("[0-9a-f]{16}").isNotEqualTo(SPAN).isNotEqualTo("0".repeat(16));
        assertThat(child.sampled()).isTrue();
        assertThat(child.header()).isEqualTo("00-%s-%s-01".formatted(TRACE, child.spanId()));
        assertThat(parent.child().spanId()).isNotEqualTo(child.spanId());
    }
}
