package dev.lastcall.platform.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lastcall.platform.config.ConfigError;
import dev.lastcall.platform.config.Settings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StopBudgetTest {

    @Test
    void transactionsTimeoutMustBeShorterThanTheShutdownBudget() {
        assertThatThrownBy(() -> load(Map.of("LASTCALL_DB_STOP_TIMEOUT", "30s")))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("db.stopTimeout: must be less than shutdown.timeout")
                .hasMessageContaining("LASTCALL_DB_STOP_TIMEOUT");
    }

    @Test
    void shutdownTimeoutMustExceedDrainDelayPlusHttpStopTimeout() {
        assertThatThrownBy(() -> load(Map.of(
                "LASTCALL_HTTP_DRAIN_DELAY", "5s", "LASTCALL_HTTP_STOP_TIMEOUT", "10s", "LASTCALL_SHUTDOWN_TIMEOUT", "15s")))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("shutdown.timeout: must exceed http.drainDelay + http.stopTimeout (5000ms + 10000ms)");
    }

    @Test
    void eachStepGetsWhatIsLeftCappedByItsOwnTimeout() {
        StopBudget budget = new StopBudget(Duration.ofSeconds(30), Duration.ofSeconds(6), Duration.ofSeconds(20),
                Duration.ofSeconds(10), Duration.ofSeconds(5));
        Deadline stop = Deadline.after(Duration.ofSeconds(3));

        assertThat(budget.drainDelay(stop)).isEqualTo(stop);
        assertThat(budget.workers(stop)).isEqualTo(stop);
        assertThat(budget.transactions(stop).remaining())
                .as("the database keeps its close reserve back from what is left")
                .isLessThanOrEqualTo(Duration.ofSeconds(2));
        Deadline roomy = Deadline.after(Duration.ofMinutes(1));
        assertThat(budget.httpDrain(roomy).remaining()).isBetween(Duration.ofSeconds(19), Duration.ofSeconds(20));
        assertThat(budget.transactions(roomy).remaining()).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(5));
    }

    @Test
    void aStopHangsOnlyPastTheBudgetAndTheReportGrace() {
        StopBudget budget = load(Map.of());

        assertThat(budget.hangsAfter()).isEqualTo(Duration.ofSeconds(30).plus(StopBudget.REPORT_GRACE));
    }

    private static StopBudget load(Map<String, String> environment) {
        return StopBudget.from(Settings.load(Optional.empty(), environment));
    }
}
