package dev.lastcall.platform.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.platform.http.Routes.Route;
import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.Managed;
import dev.lastcall.platform.lifecycle.StopResult;
import jakarta.inject.Inject;
import jakarta.servlet.DispatcherType;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.server.handler.StatisticsHandler;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public HTTP server. Stop: every response gets {@code Connection: close} for {@code
 * http.drainDelay}; then the listener closes and in-flight requests get until {@code
 * http.stopTimeout} (or what is left of the shutdown budget) to finish, while new requests on open
 * connections get 503; then the remaining, idle connections close.
 */
public final class HttpServer implements Managed {

    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

    /** Leave each connection's idle timeout as it is when the drain starts; see {@link #stop}. */
    private static final long KEEP_IDLE_TIMEOUT = -1;

    private final HttpSettings settings;
    private final Set<Route> routes;
    private final Json json;
    private final ObjectMapper mapper;
    private final ListenerSource listenerSource;
    private final ApiAccess access;
    private final ConnectionClosing connectionClosing = new ConnectionClosing();
    private final StatisticsHandler statistics = new StatisticsHandler();
    private final GracefulHandler graceful = new GracefulHandler();
    private @Nullable Server server;
    private @Nullable ServerConnector connector;
    private StopResult stopResult = StopResult.complete("");

    @Inject
    HttpServer(HttpSettings settings, Set<Route> routes, Json json, ObjectMapper mapper, ListenerSource listenerSource,
            ApiAccess access) {
        this.settings = settings;
        this.routes = routes;
        this.json = json;
        this.mapper = mapper;
        this.listenerSource = listenerSource;
        this.access = access;
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public void start() throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("http");
        threads.setVirtualThreadsExecutor(VirtualThreads.getNamedVirtualThreadsExecutor("http-request-"));
        Server jetty = new Server(threads);
        jetty.setStopAtShutdown(false);
        jetty.setStopTimeout(settings.stopTimeout().toMillis());
        jetty.setErrorHandler(new ProblemErrorHandler(mapper, connectionClosing));

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        ServerConnector listener = new ServerConnector(jetty, 1, 1, new HttpConnectionFactory(http));
        listener.setName("public");
        listener.setIdleTimeout(settings.idleTimeout().toMillis());
        // Jetty's default (1s) would cut a slow in-flight upload as soon as the drain begins.
        listener.setShutdownIdleTimeout(KEEP_IDLE_TIMEOUT);
        graceful.setShutdownIdleTimeout(KEEP_IDLE_TIMEOUT);
        listenerSource.configure(listener, settings);
        jetty.addConnector(listener);

        ServletContextHandler context = new ServletContextHandler("/");
        context.addFilter(new FilterHolder(new ProblemFilter(json, connectionClosing)), "/*",
                EnumSet.of(DispatcherType.REQUEST));
        context.addFilter(new FilterHolder(new ApiAccessFilter(access, json)), ApiAccess.PATH_SPEC,
                EnumSet.of(DispatcherType.REQUEST));
        if (access.open() && routes.stream().anyMatch(route -> route.pathSpec().startsWith(ApiAccess.PREFIX))) {
            log.warn("http: api.tokens is empty, so the API under /v1 is open to anyone who can reach {}", settings.host());
        }
        for (Route route : routes) {
            context.addServlet(new ServletHolder(route.servlet()), route.pathSpec());
        }
        SizeLimitHandler sizeLimit = new SizeLimitHandler(settings.maxRequestBody(), -1);
        sizeLimit.setHandler(context);
        connectionClosing.setHandler(sizeLimit);
        statistics.setHandler(connectionClosing);
        graceful.setHandler(statistics);
        jetty.setHandler(graceful);

        server = jetty;
        connector = listener;
        jetty.start();
        log.info("http: listening on {}:{} ({} routes)", settings.host(), port(), routes.size());
    }

    /** The bound port, useful when {@code http.port} is 0. */
    public int port() {
        return connector == null ? -1 : connector.getLocalPort();
    }

    /** Requests that have started and not yet completed. */
    public long inFlight() {
        return statistics.getRequestsActive();
    }

    @Override
    public void stop(Deadline deadline) throws Exception {
        Server jetty = server;
        ServerConnector listener = connector;
        if (jetty == null || listener == null) {
            return;
        }
        long totalBefore = statistics.getRequestTotal();
        long activeBefore = statistics.getRequestsActive();

        connectionClosing.closeEveryConnection();
        Duration delay = min(settings.drainDelay(), deadline.remaining());
        if (!delay.isZero()) {
            log.info("http: drain delay {}s: serving with Connection: close, {} in flight",
                    delay.toMillis() / 1000.0, inFlight());
            Thread.sleep(delay);
        }

        Deadline drainDeadline = deadline.atMost(settings.stopTimeout());
        log.info("http: listener closed, draining {} in-flight requests for up to {}s",
                inFlight(), drainDeadline.remaining().toMillis() / 1000.0);
        listener.shutdown();
        boolean drained = awaitInFlight(drainDeadline);
        long cut = statistics.getRequestsActive();
        // What is left is idle keep-alive connections (or, past the deadline, requests we cut).
        listener.getConnectedEndPoints().forEach(EndPoint::close);
        // Jetty's own graceful wait would only repeat ours; after a cut it would wait for requests we just failed.
        jetty.setStopTimeout(drained ? Math.max(1, drainDeadline.remaining().toMillis()) : 0);
        jetty.stop();

        long completed = statistics.getRequestTotal() - totalBefore + activeBefore - cut;
        String summary = "%d requests drained, %d cut".formatted(completed, cut);
        stopResult = drained && cut == 0 ? StopResult.complete(summary) : StopResult.cut(summary);
    }

    private boolean awaitInFlight(Deadline deadline) throws InterruptedException {
        try {
            graceful.shutdown().get(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            log.warn("http: {} requests still in flight at the stop timeout; cutting them", inFlight());
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            log.warn("http: drain failed: {}", e.getCause().toString());
            return false;
        }
    }

    @Override
    public StopResult stopResult() {
        return stopResult;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
