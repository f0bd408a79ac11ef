package dev.lastcall.app.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short signal storm: SIGTERM or SIGINT during the start, at the instant of readiness, under load,
 * right after an error answer, or twice during a drain; each one obeyed within the budget with a
 * documented exit status. {@code -Dlastcall.cycles} scales it.
 */
class SignalStormIT {

    private static final int CYCLES = Integer.getInteger("lastcall.cycles", 20);

    @TempDir
    Path work;

    @Test
    void everySignalIsObeyedWithinTheBudgetWithADocumentedStatus() throws Exception {
        SignalStorm.Result result = new SignalStorm(work, CYCLES, 2, System.nanoTime()).run();

        System.out.println(result.summary());
        assertThat(result.brokenOff()).as("cycles that broke off before their signal (a failed start)").isEmpty();
        assertThat(result.cycles()).hasSize(CYCLES);
        assertThat(result.disobeyed()).as("signals not obeyed within the budget with a documented status").isEmpty();
    }
}
