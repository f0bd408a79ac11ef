package dev.lastcall.platform.http.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounded admission of {@code /v1} requests, so that an overload is refused quickly instead of
 * queueing without end for the database's pool: at most {@code maxActive} requests run at once;
 * past that, at most {@code maxQueued} wait for a turn, first come first served, each at most
 * {@code queueTimeout}. A request that finds the queue full, or waits it out, is refused (503).
 */
@Singleton
public final class Admission {

    /** What {@link #enter} decided. */
    public enum Outcome {
        ADMITTED,
        /** The queue was full: refused at once. */
        QUEUE_FULL,
        /** No turn came within the queue timeout (or the wait was interrupted). */
        QUEUE_TIMEOUT;

        public boolean admitted() {
            return this == ADMITTED;
        }
    }

    private final AdmissionSettings settings;
    /** Turns to run; fair, so that the queue is served in order. */
    private final Semaphore turns;
    private final AtomicInteger queued = new AtomicInteger();
    private final Counter refusedFull;
    private final Counter refusedTimeout;

    @Inject
    public Admission(AdmissionSettings settings, MeterRegistry registry) {
        this.settings = settings;
        this.turns = new Semaphore(settings.maxActive(), true);
        Gauge.builder("lastcall.http.admission.active", this, Admission::active)
                .description("/v1 requests admitted and running now (at most http.maxActiveRequests)")
                .register(registry);
        Gauge.builder("lastcall.http.admission.queued", this, Admission::queued)
                .description("/v1 requests waiting for a turn (at most http.maxQueuedRequests)")
                .register(registry);
        refusedFull = refusals(registry, "queue_full");
        refusedTimeout = refusals(registry, "queue_timeout");
    }

    private static Counter refusals(MeterRegistry registry, String reason) {
        return Counter.builder("lastcall.http.admission.refused")
                .description("/v1 requests refused with 503 overloaded: the queue was full, or no turn came in time")
                .tag("reason", reason)
                .register(registry);
    }

    public AdmissionSettings settings() {
        return settings;
    }

    /** Takes a turn, waiting in the queue if need be; after {@link Outcome#ADMITTED}, call {@link #leave}. */
    public Outcome enter() {
        try {
            // with a timeout, even of zero, a fair semaphore does not let this request pass the queue
            if (turns.tryAcquire(0, TimeUnit.NANOSECONDS)) {
                return Outcome.ADMITTED;
            }
            if (!joinQueue()) {
                refusedFull.increment();
                return Outcome.QUEUE_FULL;
            }
            try {
                if (turns.tryAcquire(settings.queueTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
                    return Outcome.ADMITTED;
                }
            } finally {
                queued.decrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        refusedTimeout.increment();
        return Outcome.QUEUE_TIMEOUT;
    }

    private boolean joinQueue() {
        for (int now = queued.get(); now < settings.maxQueued(); now = queued.get()) {
            if (queued.compareAndSet(now, now + 1)) {
                return true;
            }
        }
        return false;
    }

    public void leave() {
        turns.release();
    }

    public int active() {
        return settings.maxActive() - turns.availablePermits();
    }

    public int queued() {
        return queued.get();
    }
}
