package dev.lastcall.webhooks;

import dev.lastcall.platform.context.LogFields;
import dev.lastcall.platform.context.TraceParent;
import dev.lastcall.platform.database.Transactions;
import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.scheduling.Job;
import dev.lastcall.webhooks.WebhookMetrics.AttemptResult;
import dev.lastcall.webhooks.WebhookMetrics.DeliveryOutcome;
import jakarta.inject.Inject;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims due deliveries with a lease (committed at once), attempts them all at the same time outside
 * any transaction, and records each outcome as it comes, only while this run still holds the lease.
 *
 * <p>An attempt for an event published by a request with a trace is a new span in that trace, a
 * child of the request's span: its {@code traceparent} header names it, and so do the trace and
 * span ID in the MDC of the lines logged about it.
 *
 * <p>A delivery is sent only if the attempt can time out before its lease ends, so another process
 * never claims a delivery this one may still be sending. A run cut by shutdown records nothing for
 * the attempts it cut: they stay pending and are claimed again once their lease expires. A full
 * batch runs the job again at once.
 */
final class DeliveryJob implements Job {

    static final String NAME = "webhooks-delivery";
    private static final Logger log = LoggerFactory.getLogger(DeliveryJob.class);

    private final Transactions transactions;
    private final Sender sender;
    private final WebhookSettings settings;
    private final WebhookMetrics metrics;
    private final Backoff backoff;

    @Inject
    DeliveryJob(Transactions transactions, Sender sender, WebhookSettings settings, WebhookMetrics metrics) {
        this.transactions = transactions;
        this.sender = sender;
        this.settings = settings;
        this.metrics = metrics;
        this.backoff = new Backoff(settings.retryBaseDelay(), settings.retryMaxDelay());
    }

    @Override
    public Backlog run() throws InterruptedException {
        // Taken before the claim, so the local view of the lease ends no later than the database's.
        Deadline leaseEnds = Deadline.after(settings.lease());
        UUID token = UUID.randomUUID();
        List<ClaimedDelivery> claimed = transactions.execute(
                tx -> Deliveries.claim(tx, settings.batchSize(), settings.lease(), token));
        if (claimed.isEmpty()) {
            return Backlog.NONE;
        }
        Deadline startBy = new Deadline(leaseEnds.nanoTime() - settings.requestTimeout().toNanos());
        // closed in reverse: every attempt ends before the client closes
        try (HttpClient client = sender.newClient();
                ExecutorService attempts = Executors.newVirtualThreadPerTaskExecutor()) {
            for (ClaimedDelivery delivery : claimed) {
                attempts.submit(() -> {
                    try {
                        attemptAndRecord(client, delivery, startBy);
                    } catch (RuntimeException e) {
                        log.warn("webhooks: event {} for subscription {}: outcome not recorded; it is tried again after its lease",
                                delivery.eventId(), delivery.subscriptionId(), e);
                    }
                    return null;
                });
            }
        }
        // close() waits for every attempt; when interrupted it interrupts them, waits, and sets our flag again.
        if (Thread.interrupted()) {
            throw new InterruptedException("delivery run cut with %d deliveries claimed".formatted(claimed.size()));
        }
        return claimed.size() == settings.batchSize() ? Backlog.MORE : Backlog.NONE;
    }

    private void attemptAndRecord(HttpClient client, ClaimedDelivery delivery, Deadline startBy)
            throws InterruptedException {
        if (!delivery.subscriptionActive()) {
            if (transactions.execute(tx -> Deliveries.notSent(tx, delivery, Deliveries.DISABLED))) {
                metrics.delivery(DeliveryOutcome.DISABLED);
            }
            return;
        }
        Optional<TraceParent> span = delivery.trace().map(TraceParent::child);
        try (LogFields ignored = LogFields.span(span)) {
            sendAndRecord(client, delivery, span, startBy);
        }
    }

    private void sendAndRecord(HttpClient client, ClaimedDelivery delivery, Optional<TraceParent> span,
            Deadline startBy) throws InterruptedException {
        Outcome outcome;
        long begin = System.nanoTime();
        try {
            outcome = sender.attempt(client, delivery, span, startBy);
        } catch (RuntimeException e) {
            outcome = new Outcome.Failed(null, "not sent: " + e);
        }
        long took = System.nanoTime() - begin;
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException();
        }
        Outcome result = outcome;
        boolean recorded = switch (result) {
            case Outcome.Delivered delivered -> transactions.execute(tx -> Deliveries.delivered(tx, delivery, delivered.statusCode()));
            case Outcome.Gone gone -> transactions.execute(tx -> Deliveries.gone(tx, delivery));
            case Outcome.Failed failed -> transactions.execute(tx -> Deliveries.failed(tx, delivery,
                    failed.statusCode(), failed.error(), retryDelay(delivery)));
            case Outcome.NotSent notSent -> {
                log.warn("webhooks: event {} for subscription {} not sent: {}", delivery.eventId(),
                        delivery.subscriptionId(), notSent.reason());
                yield true;
            }
        };
        switch (result) {
            case Outcome.Delivered delivered -> metrics.attempt(AttemptResult.DELIVERED, took);
            case Outcome.Gone gone -> metrics.attempt(AttemptResult.GONE, took);
            case Outcome.Failed failed -> metrics.attempt(AttemptResult.FAILED, took);
            case Outcome.NotSent notSent -> { }
        }
        if (!recorded) {
            metrics.delivery(DeliveryOutcome.LEASE_LOST);
            log.warn("webhooks: lease on event {} for subscription {} was lost before its outcome ({}) was recorded",
                    delivery.eventId(), delivery.subscriptionId(), result);
            return;
        }
        metrics.delivery(deliveryOutcome(delivery, result));
        logOutcome(delivery, result);
    }

    private DeliveryOutcome deliveryOutcome(ClaimedDelivery delivery, Outcome outcome) {
        return switch (outcome) {
            case Outcome.Delivered delivered -> DeliveryOutcome.DELIVERED;
            case Outcome.Gone gone -> DeliveryOutcome.GONE;
            case Outcome.Failed failed -> retryDelay(delivery) == null ? DeliveryOutcome.FAILED : DeliveryOutcome.RETRY;
            case Outcome.NotSent notSent -> DeliveryOutcome.NOT_SENT;
        };
    }

    /** Null when the attempt just made was the last one allowed. */
    private @Nullable Duration retryDelay(ClaimedDelivery delivery) {
        int made = delivery.attempts() + 1;
        return made >= settings.maxAttempts() ? null : backoff.after(made);
    }

    private void logOutcome(ClaimedDelivery delivery, Outcome outcome) {
        int attempt = delivery.attempts() + 1;
        switch (outcome) {
            case Outcome.Delivered delivered -> log.debug("webhooks: event {} delivered to subscription {} (attempt {}, HTTP {})",
                    delivery.eventId(), delivery.subscriptionId(), attempt, delivered.statusCode());
            case Outcome.Gone gone -> log.warn("webhooks: subscription {} disabled: its receiver answered 410 Gone",
                    delivery.subscriptionId());
            case Outcome.Failed failed when attempt >= settings.maxAttempts() -> log.warn(
                    "webhooks: event {} for subscription {} failed for good after {} attempts: {}",
                    delivery.eventId(), delivery.subscriptionId(), attempt, failed.error());
            case Outcome.Failed failed -> log.info("webhooks: event {} for subscription {}: attempt {} of {} failed: {}",
                    delivery.eventId(), delivery.subscriptionId(), attempt, settings.maxAttempts(), failed.error());
            case Outcome.NotSent notSent -> { }
        }
    }
}
