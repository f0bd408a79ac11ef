package dev.lastcall.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.platform.database.Transactions;
import dev.lastcall.platform.outbox.Outbox;
import dev.lastcall.platform.outbox.OutboxEvent;
import dev.lastcall.platform.scheduling.Job;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes this module's events from the outbox and, in the same transaction, inserts one pending
 * delivery per active subscription to the event's type: an event is taken if and only if its
 * deliveries exist. Events no active subscription asked for are taken and dropped, without
 * rendering their bodies. A full batch runs the job again at once.
 */
final class FanOutJob implements Job {

    static final String NAME = "webhooks-fan-out";
    static final String CONSUMER = "webhooks";
    private static final Logger log = LoggerFactory.getLogger(FanOutJob.class);

    /** The body of every attempt, as the Standard Webhooks specification shapes it. */
    record EventBody(String type, String timestamp, JsonNode data) {}

    private final Transactions transactions;
    private final Outbox outbox;
    private final ObjectMapper mapper;
    private final int batchSize;

    @Inject
    FanOutJob(Transactions transactions, Outbox outbox, ObjectMapper mapper, WebhookSettings settings) {
        this.transactions = transactions;
        this.outbox = outbox;
        this.mapper = mapper;
        this.batchSize = settings.batchSize();
    }

    @Override
    public Backlog run() {
        record Batch(int events, int deliveries) {}
        Batch batch = transactions.execute(tx -> {
            List<OutboxEvent> events = outbox.take(tx, CONSUMER, batchSize);
            Set<String> subscribed = events.isEmpty() ? Set.of() : Deliveries.subscribedTypes(tx);
            List<Deliveries.Event> wanted = new ArrayList<>(events.size());
            for (OutboxEvent event : events) {
                if (subscribed.contains(event.type())) {
                    wanted.add(new Deliveries.Event(event.id(), event.type(), body(event), event.trace()));
                }
            }
            return new Batch(events.size(), Deliveries.fanOut(tx, wanted));
        });
        if (batch.events() > 0) {
            log.debug("webhooks: fanned out {} events into {} deliveries", batch.events(), batch.deliveries());
        }
        return batch.events() == batchSize ? Backlog.MORE : Backlog.NONE;
    }

    private String body(OutboxEvent event) throws SQLException {
        try {
            return mapper.writeValueAsString(new EventBody(event.type(), event.createdAt().toString(), event.payload()));
        } catch (JsonProcessingException e) {
            throw new SQLException("event %s cannot be written as JSON".formatted(event.id()), e);
        }
    }
}
