package dev.lastcall.platform.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The outcome file in the real temporary directory, written only when someone asked for it. */
class ReloadOutcomeTest {

    private final long self = ProcessHandle.current().pid();

    @AfterEach
    void forget() throws Exception {
        ReloadOutcome.withdraw(self);
    }

    @Test
    void aReloadNobodyAskedAboutLeavesNoFile() {
        ReloadOutcome.succeeded(self, 4242);
        ReloadOutcome.failed(self, "the successor exited with status 2");

        assertThat(ReloadOutcome.fileOf(self)).doesNotExist();
    }

    @Test
    void theAskerReadsTheOutcomeAndTheFileGoes() throws Exception {
        ReloadOutcome.ask(self);
        ReloadOutcome.succeeded(self, 4242);

        assertThat(ReloadOutcome.await(self, Duration.ofSeconds(5))).contains("ok 4242");
        assertThat(ReloadOutcome.fileOf(self)).doesNotExist();
    }

    @Test
    void aFailureIsReadAsOne() throws Exception {
        ReloadOutcome.ask(self);
        ReloadOutcome.failed(self, "the successor exited with status 2 before it was ready");

        String line = ReloadOutcome.await(self, Duration.ofSeconds(5)).orElseThrow();
        assertThat(line).isEqualTo("failed: the successor exited with status 2 before it was ready");
        assertThat(ReloadOutcome.isSuccess(line)).isFalse();
    }

    @Test
    void aSighupThatStartedNothingTellsTheAskerButNeverOverwritesAnOutcome() throws Exception {
        ReloadOutcome.refused(self, "pid 1 is STOPPING, not running");
        assertThat(ReloadOutcome.fileOf(self)).as("nobody asked").doesNotExist();

        ReloadOutcome.ask(self);
        ReloadOutcome.succeeded(self, 4242);
        ReloadOutcome.refused(self, "pid 1 is STOPPING, not running");
        assertThat(ReloadOutcome.await(self, Duration.ofSeconds(5))).contains("ok 4242");

        ReloadOutcome.ask(self);
        ReloadOutcome.refused(self, "pid 1 has not taken over from its predecessor yet");
        assertThat(ReloadOutcome.await(self, Duration.ofSeconds(5))).contains("failed: pid 1 has not taken over from its predecessor yet");
    }

    @Test
    void anAskerThatGivesUpTakesTheQuestionBackSoALateOutcomeIsNotWritten() throws Exception {
        ReloadOutcome.ask(self);

        assertThat(ReloadOutcome.await(self, Duration.ofMillis(200))).isEmpty();
        assertThat(ReloadOutcome.fileOf(self)).doesNotExist();
        ReloadOutcome.succeeded(self, 4242);
        assertThat(ReloadOutcome.fileOf(self)).doesNotExist();
    }

    @Test
    void aProcessGoneWithoutAnOutcomeIsAFailure() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        ReloadOutcome.ask(gone.pid());

        assertThat(ReloadOutcome.await(gone.pid(), Duration.ofSeconds(5)))
                .contains("failed: process %d is gone and left no outcome".formatted(gone.pid()));
        assertThat(ReloadOutcome.fileOf(gone.pid())).doesNotExist();
    }
}
