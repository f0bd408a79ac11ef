package dev.lastcall.platform;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.multibindings.Multibinder;
import dev.lastcall.platform.config.Settings;
import dev.lastcall.platform.database.Database;
import dev.lastcall.platform.database.DatabaseSettings;
import dev.lastcall.platform.database.PooledTransactions;
import dev.lastcall.platform.database.Transactions;
import dev.lastcall.platform.http.HttpServer;
import dev.lastcall.platform.http.HttpSettings;
import dev.lastcall.platform.http.ListenerSource;
import dev.lastcall.platform.http.Routes;
import dev.lastcall.platform.http.StrictJson;
import dev.lastcall.platform.lifecycle.Managed;
import dev.lastcall.platform.lifecycle.ManagedBinder;
import dev.lastcall.platform.lifecycle.Phase;
import dev.lastcall.platform.outbox.OutboxConsumers;
import dev.lastcall.platform.process.ProcessSettings;
import dev.lastcall.platform.scheduling.Jobs;
import dev.lastcall.platform.scheduling.Scheduler;
import dev.lastcall.platform.scheduling.SchedulerSettings;
import dev.lastcall.platform.systemd.Notifier;
import dev.lastcall.platform.systemd.SocketActivation;

/** The platform's bindings. Construct it with the loaded settings: it validates its keys at once. */
public final class PlatformModule extends AbstractModule {

    private final Settings settings;
    private final HttpSettings http;
    private final ProcessSettings process;
    private final SchedulerSettings scheduler;
    private final DatabaseSettings database;
    private final ListenerSource listenerSource;

    public PlatformModule(Settings settings) {
        this.settings = settings;
        this.http = HttpSettings.from(settings);
        this.process = ProcessSettings.from(settings);
        this.scheduler = SchedulerSettings.from(settings);
        this.database = DatabaseSettings.from(settings, process);
        if (http.drainDelay().plus(http.stopTimeout()).compareTo(process.shutdownTimeout()) >= 0) {
            throw settings.invalid("shutdown.timeout",
                    "must exceed http.drainDelay + http.stopTimeout (%dms + %dms)".formatted(
                            http.drainDelay().toMillis(), http.stopTimeout().toMillis()));
        }
        this.listenerSource = SocketActivation.detect(System.getenv());
    }

    public ProcessSettings processSettings() {
        return process;
    }

    @Override
    protected void configure() {
        bind(Settings.class).toInstance(settings);
        bind(HttpSettings.class).toInstance(http);
        bind(ProcessSettings.class).toInstance(process);
        bind(SchedulerSettings.class).toInstance(scheduler);
        bind(DatabaseSettings.class).toInstance(database);
        bind(Transactions.class).to(PooledTransactions.class);
        bind(ObjectMapper.class).toInstance(StrictJson.mapper());
        MapBinder.newMapBinder(binder(), Phase.class, Managed.class).permitDuplicates();
        Multibinder.newSetBinder(binder(), Routes.Route.class);
        Multibinder.newSetBinder(binder(), Jobs.ScheduledJob.class);
        OutboxConsumers.of(binder());
        ManagedBinder.of(binder()).manage(Phase.WORKERS, Scheduler.class);
        ManagedBinder.of(binder())
                .manage(Phase.DATABASE, Database.class)
                .manage(Phase.HTTP, HttpServer.class);
        bind(ListenerSource.class).toInstance(listenerSource);
        bind(Notifier.class).toInstance(Notifier.fromEnvironment(System.getenv()));
    }
}
