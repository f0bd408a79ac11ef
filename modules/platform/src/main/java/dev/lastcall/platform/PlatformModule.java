package dev.lastcall.platform;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import dev.lastcall.platform.config.ConfigError;
import dev.lastcall.platform.config.Settings;
import dev.lastcall.platform.database.Transactions;
import dev.lastcall.platform.database.internal.Database;
import dev.lastcall.platform.database.internal.DatabaseSettings;
import dev.lastcall.platform.database.internal.PooledTransactions;
import dev.lastcall.platform.http.Json;
import dev.lastcall.platform.http.Routes;
import dev.lastcall.platform.http.WarmUp;
import dev.lastcall.platform.http.internal.AdminAccess;
import dev.lastcall.platform.http.internal.AdminListenerSource;
import dev.lastcall.platform.http.internal.AdminEndpoint;
import dev.lastcall.platform.http.internal.AdminServer;
import dev.lastcall.platform.http.internal.ApiAccess;
import dev.lastcall.platform.http.internal.ContractServlet;
import dev.lastcall.platform.http.internal.DatabaseProbe;
import dev.lastcall.platform.http.internal.HandshakeDrain;
import dev.lastcall.platform.http.internal.HttpServer;
import dev.lastcall.platform.http.internal.AdmissionSettings;
import dev.lastcall.platform.http.internal.HttpSettings;
import dev.lastcall.platform.http.internal.InfoEndpoint;
import dev.lastcall.platform.http.internal.ListenerSource;
import dev.lastcall.platform.http.internal.MetricsEndpoint;
import dev.lastcall.platform.http.internal.StrictJson;
import dev.lastcall.platform.http.internal.ThreadsEndpoint;
import dev.lastcall.platform.lifecycle.ManagedBinder;
import dev.lastcall.platform.lifecycle.Phase;
import dev.lastcall.platform.lifecycle.StopBudget;
import dev.lastcall.platform.metrics.JvmMetrics;
import dev.lastcall.platform.metrics.MetricsRegistry;
import dev.lastcall.platform.metrics.MetricsSettings;
import dev.lastcall.platform.outbox.OutboxConsumers;
import dev.lastcall.platform.outbox.OutboxMetrics;
import dev.lastcall.platform.process.LifecycleMetrics;
import dev.lastcall.platform.process.ProcessSettings;
import dev.lastcall.platform.scheduling.Jobs;
import dev.lastcall.platform.scheduling.internal.JobGate;
import dev.lastcall.platform.scheduling.internal.Scheduler;
import dev.lastcall.platform.systemd.HandshakeGate;
import dev.lastcall.platform.systemd.InheritedSocket;
import dev.lastcall.platform.systemd.SocketActivation;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.Optional;

/**
 * The platform's bindings. Construct it with the loaded settings: it validates its keys at once,
 * {@code api.tokens} against {@code http.host} and {@code admin.tokens} against {@code admin.host}
 * included, and finds a socket systemd passed.
 */
public final class PlatformModule extends AbstractModule {

    private final Settings settings;
    private final HttpSettings http;
    private final AdmissionSettings admission;
    private final ProcessSettings process;
    private final DatabaseSettings database;
    private final MetricsSettings metrics;
    private final StopBudget stopBudget;
    private final Optional<InheritedSocket> inheritedSocket;
    private final AdminListenerSource adminListener;

    public PlatformModule(Settings settings) {
        this.settings = settings;
        this.http = HttpSettings.from(settings);
        this.admission = AdmissionSettings.from(settings);
        this.process = ProcessSettings.from(settings);
        this.database = DatabaseSettings.from(settings);
        this.metrics = MetricsSettings.from(settings);
        this.stopBudget = StopBudget.from(settings);
        ApiAccess.check(settings);
        AdminAccess.check(settings);
        this.inheritedSocket = SocketActivation.detect(System.getenv());
        this.adminListener = adminListener(SocketActivation.detectAdmin(System.getenv()));
    }

    public ProcessSettings processSettings() {
        return process;
    }

    public StopBudget stopBudget() {
        return stopBudget;
    }

    @Override
    protected void configure() {
        bind(Settings.class).toInstance(settings);
        bind(HttpSettings.class).toInstance(http);
        bind(AdmissionSettings.class).toInstance(admission);
        bind(ProcessSettings.class).toInstance(process);
        bind(DatabaseSettings.class).toInstance(database);
        bind(MetricsSettings.class).toInstance(metrics);
        PrometheusMeterRegistry registry = MetricsRegistry.create(metrics);
        bind(PrometheusMeterRegistry.class).toInstance(registry);
        bind(MeterRegistry.class).toInstance(registry);
        bind(LifecycleMetrics.class).asEagerSingleton();
        bind(OutboxMetrics.class).asEagerSingleton();
        bind(StopBudget.class).toInstance(stopBudget);
        bind(Transactions.class).to(PooledTransactions.class);
        ObjectMapper mapper = StrictJson.mapper();
        bind(ObjectMapper.class).toInstance(mapper);
        bind(Json.class).toInstance(new Json(mapper, http.maxRequestBody()));
        Routes.of(binder()).serve(ContractServlet.PATH, ContractServlet.class, ContractServlet.PATH);
        WarmUp.of(binder());
        Multibinder<AdminEndpoint> adminEndpoints = Multibinder.newSetBinder(binder(), AdminEndpoint.class);
        adminEndpoints.addBinding().to(InfoEndpoint.class);
        adminEndpoints.addBinding().to(ThreadsEndpoint.class);
        if (metrics.enabled()) {
            adminEndpoints.addBinding().to(MetricsEndpoint.class);
        }
        Multibinder.newSetBinder(binder(), Jobs.ScheduledJob.class);
        OutboxConsumers.of(binder());
        ManagedBinder.of(binder())
                .manage(Phase.ADMIN, JvmMetrics.class)
                .manage(Phase.ADMIN, AdminServer.class)
                .manage(Phase.DATABASE, Database.class)
                .manage(Phase.WORKERS, Scheduler.class)
                .manage(Phase.HTTP, HttpServer.class);
        bind(DatabaseProbe.class).to(DatabaseHealthProbe.class);
        bind(JobGate.class).to(DatabaseJobGate.class);
        bind(ListenerSource.class).toInstance(inheritedSocket
                .<ListenerSource>map(socket -> () -> Optional.of(socket.take()))
                .orElse(ListenerSource.BIND));
        bind(AdminListenerSource.class).toInstance(adminListener);
        bind(HandshakeDrain.class).toInstance(HandshakeGate.available()
                ? HandshakeGate::turnAwayNewAndAwaitUnderWay
                : HandshakeDrain.NONE);
    }

    private static AdminListenerSource adminListener(Optional<InheritedSocket> passed) {
        if (passed.isEmpty()) {
            return AdminListenerSource.BIND;
        }
        InheritedSocket socket = passed.get();
        try {
            return new AdminListenerSource(() -> Optional.of(socket.take()), socket.port(), socket.origin());
        } catch (IOException e) {
            throw new ConfigError("socket activation: %s: %s".formatted(socket, e.getMessage()));
        }
    }
}
