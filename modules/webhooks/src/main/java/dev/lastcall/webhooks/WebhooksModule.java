package dev.lastcall.webhooks;

import com.google.inject.AbstractModule;
import dev.lastcall.platform.config.Settings;
import dev.lastcall.platform.http.Routes;
import dev.lastcall.platform.outbox.OutboxConsumers;
import dev.lastcall.platform.scheduling.JobSchedule;
import dev.lastcall.platform.scheduling.Jobs;

/**
 * The webhooks module: the {@code /v1/webhooks} API, an outbox consumer, and two jobs (fan-out and
 * delivery). Construct it with the loaded settings: it validates its {@code webhooks.*} keys at
 * once.
 */
public final class WebhooksModule extends AbstractModule {

    /** Part of each poll interval added at random, so processes started together do not poll in lockstep. */
    private static final int POLL_JITTER_DIVISOR = 4;

    private final WebhookSettings settings;

    public WebhooksModule(Settings settings) {
        this.settings = WebhookSettings.from(settings);
    }

    @Override
    protected void configure() {
        bind(WebhookSettings.class).toInstance(settings);
        bind(WebhookMetrics.class).asEagerSingleton();
        OutboxConsumers.of(binder()).add(FanOutJob.CONSUMER);
        Routes.of(binder()).serve(WebhooksServlet.PATH + "/*", WebhooksServlet.class,
                WebhooksServlet.PATH, WebhooksServlet.PATH + "/{id}", WebhooksServlet.PATH + "/{id}/deliveries");
        JobSchedule poll = JobSchedule.every(settings.pollInterval()).withJitterDividedBy(POLL_JITTER_DIVISOR);
        Jobs.of(binder())
                .schedule(FanOutJob.NAME, poll, FanOutJob.class)
                .schedule(DeliveryJob.NAME, poll, DeliveryJob.class);
    }
}
