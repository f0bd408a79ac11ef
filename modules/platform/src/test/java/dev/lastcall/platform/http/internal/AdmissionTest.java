package dev.lastcall.platform.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastcall.platform.http.internal.Admission.Outcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AdmissionTest {

    private static final Duration LONG = Duration.ofSeconds(30);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void admitsUpToMaxActiveAndRefusesTheNextAtOnceWithoutAQueue() {
        Admission admission = new Admission(new AdmissionSettings(2, 0, LONG), registry);

        assertThat(admission.enter()).isEqualTo(Outcome.ADMITTED);
        assertThat(admission.enter()).isEqualTo(Outcome.ADMITTED);
        assertThat(admission.enter()).isEqualTo(Outcome.QUEUE_FULL);
        assertThat(admission.active()).isEqualTo(2);

        admission.leave();
        assertThat(admission.enter()).isEqualTo(Outcome.ADMITTED);
        assertThat(refused("queue_full")).isEqualTo(1);
    }

    @Test
    void aQueuedRequestGetsTheTurnOfOneThatLeaves() throws Exception {
        Admission admission = new Admission(new AdmissionSettings(1, 1, LONG), registry);
        assertThat(admission.enter()).isEqualTo(Outcome.ADMITTED);

        CompletableFuture<Outcome> queued = CompletableFuture.supplyAsync(admission::enter, Thread::startVirtualThread);
        awaitQueued(admission, 1);
        assertThat(admission.enter()).as("one more than the queue holds").isEqualTo(Outcome.QUEUE_FULL);
        assertThat(queued).isNotDone();

        admission.leave();
        assertThat(queued.get(LONG.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Outcome.ADMITTED);
        assertThat(admission.queued()).isZero();
        assertThat(admission.active()).isEqualTo(1);
    }

    @Test
    void aQueuedRequestIsRefusedWhenNoTurnComesWithinTheQueueTimeout() {
        Admission admission = new Admission(new AdmissionSettings(1, 5, Duration.ofMillis(50)), registry);
        assertThat(admission.enter()).isEqualTo(Outcome.ADMITTED);

        assertThat(admission.enter()).isEqualTo(Outcome.QUEUE_TIMEOUT);
        assertThat(admission.queued()).as("the refused request left the queue").isZero();
        assertThat(refused("queue_timeout")).isEqualTo(1);
    }

    @Test
    void aNewRequestDoesNotPassTheQueue() throws Exception {
        Admission admission = new Admission(new AdmissionSettings(1, 1, LONG), registry);
        assertThat(admission.enter()).isEqualTo(Outcome.ADMITTED);
        CompletableFuture<Outcome> queued = CompletableFuture.supplyAsync(admission::enter, Thread::startVirtualThread);
        awaitQueued(admission, 1);

        admission.leave();
        // The turn just given back belongs to the queued request, not to a newcomer.
        CompletableFuture<Outcome> newcomer = CompletableFuture.supplyAsync(admission::enter, Thread::startVirtualThread);

        assertThat(queued.get(LONG.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Outcome.ADMITTED);
        assertThat(newcomer.getNow(Outcome.QUEUE_TIMEOUT)).as("the newcomer: refused or still waiting").isNotEqualTo(Outcome.ADMITTED);
        admission.leave();
        assertThat(newcomer.get(LONG.toSeconds(), TimeUnit.SECONDS)).as("the newcomer, once the queue is served")
                .isIn(Outcome.ADMITTED, Outcome.QUEUE_FULL);
    }

    @Test
    void aRequestInterruptedInTheQueueIsRefused() throws Exception {
        Admission admission = new Admission(new AdmissionSettings(1, 1, LONG), registry);
        assertThat(admission.enter()).isEqualTo(Outcome.ADMITTED);
        CompletableFuture<Outcome> queued = new CompletableFuture<>();
        Thread waiting = Thread.startVirtualThread(() -> queued.complete(admission.enter()));
        awaitQueued(admission, 1);

        waiting.interrupt();

        assertThat(queued.get(LONG.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Outcome.QUEUE_TIMEOUT);
        assertThat(admission.queued()).isZero();
        assertThat(admission.active()).isEqualTo(1);
    }

    private double refused(String reason) {
        return registry.get("lastcall.http.admission.refused").tag("reason", reason).counter().count();
    }

    private static void awaitQueued(Admission admission, int count) throws InterruptedException {
        long end = System.nanoTime() + LONG.toNanos();
        while (admission.queued() < count) {
            if (System.nanoTime() > end) {
                throw new AssertionError("nothing queued within " + LONG);
            }
            Thread.sleep(1);
        }
    }
}
