package dev.lastcall.platform.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastcall.platform.lifecycle.ComponentStop.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StopReportTest {

    private static final StopReport REPORT = new StopReport(List.of(
            new ComponentStop("http", Phase.HTTP, Duration.ofMillis(10), Outcome.COMPLETE, "3 requests drained, 0 cut"),
            new ComponentStop("workers", Phase.WORKERS, Duration.ofMillis(2500), Outcome.MISSED_DEADLINE, "")),
            List.of(), Duration.ofMillis(2621));

    @Test
    void theSummaryIsOneLine() {
        assertThat(REPORT.summary()).isEqualTo(
                "stopped in 2.621s: http 0.010s complete (3 requests drained, 0 cut); workers 2.500s missed_deadline");
    }

    @Test
    void theFieldsSayWhatTheSummarySaysInItsOrder() {
        assertThat(REPORT.fields()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "stoppedInSeconds", "2.621",
                "http.seconds", "0.010",
                "http.outcome", "complete",
                "http.summary", "3 requests drained, 0 cut",
                "workers.seconds", "2.500",
                "workers.outcome", "missed_deadline",
                "workers.summary", ""));
        assertThat(REPORT.fields().keySet()).containsExactly("stoppedInSeconds", "http.seconds", "http.outcome",
                "http.summary", "workers.seconds", "workers.outcome", "workers.summary");
    }
}
