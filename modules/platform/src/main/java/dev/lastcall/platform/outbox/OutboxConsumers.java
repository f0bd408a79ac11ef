package dev.lastcall.platform.outbox;

import com.google.inject.Binder;
import com.google.inject.multibindings.Multibinder;

/**
 * Registers a consumer of outbox events: {@code OutboxConsumers.of(binder()).add("webhooks")}.
 * Every event published from then on is kept for each registered consumer until it takes it.
 */
public final class OutboxConsumers {

    private final Multibinder<String> names;

    private OutboxConsumers(Binder binder) {
        this.names = Multibinder.newSetBinder(binder, String.class, OutboxConsumerNames.class);
    }

    public static OutboxConsumers of(Binder binder) {
        return new OutboxConsumers(binder);
    }

    public OutboxConsumers add(String consumer) {
        names.addBinding().toInstance(consumer);
        return this;
    }
}
