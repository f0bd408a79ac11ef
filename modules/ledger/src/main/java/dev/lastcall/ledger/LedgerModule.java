package dev.lastcall.ledger;

import com.google.inject.AbstractModule;
import dev.lastcall.platform.config.Settings;
import dev.lastcall.platform.http.Routes;
import dev.lastcall.platform.http.WarmUp;
import dev.lastcall.platform.scheduling.JobSchedule;
import dev.lastcall.platform.scheduling.Jobs;

/**
 * The ledger's bindings: the {@code /v1/accounts} and {@code /v1/transfers} routes, what a
 * reload's successor warms up on, and the job
 * that expires old Idempotency-Keys. Construct it
 * with the loaded settings: it validates {@code ledger.*} at once.
 */
public final class LedgerModule extends AbstractModule {

    private final LedgerSettings settings;

    public LedgerModule(Settings settings) {
        this.settings = LedgerSettings.from(settings);
    }

    @Override
    protected void configure() {
        bind(LedgerSettings.class).toInstance(settings);
        Routes.of(binder())
                .serve(AccountsServlet.PATH_SPEC, AccountsServlet.class,
                        "/v1/accounts", "/v1/accounts/{code}", "/v1/accounts/{code}/transfers")
                .serve(TransfersServlet.PATH_SPEC, TransfersServlet.class, "/v1/transfers", "/v1/transfers/{id}");
        WarmUp.of(binder()).from(LedgerWarmUp.class);
        Jobs.of(binder()).schedule(IdempotencyKeyExpiry.NAME,
                JobSchedule.every(settings.expiryInterval()).withJitterDividedBy(4),
                IdempotencyKeyExpiry.class);
    }
}
