package dev.lastcall.platform.http.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.platform.http.Json;
import dev.lastcall.platform.http.Routes.Route;
import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.Managed;
import dev.lastcall.platform.lifecycle.Seconds;
import dev.lastcall.platform.lifecycle.StopBudget;
import dev.lastcall.platform.lifecycle.StopResult;
import dev.lastcall.platform.metrics.MetricsSettings;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.server.handler.StatisticsHandler;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public HTTP server. Its stop has two steps: {@link #drainDelay}, in which every response
 * gets {@code Connection: close}; then {@link #stop}, the drain: the listener closes, and until
 * the deadline in-flight requests finish and a request arriving on a connection already open is
 * still served (with {@code Connection: close}, so at most one more per connection); only past the
 * deadline does one get 503. Then the remaining connections, quiet for a while, close. No
 * connection is closed under a request it has read, so with a socket that systemd holds, a client
 * that sends on a busy connection or opens a new one does not notice the stop.
 */
public final class HttpServer implements Managed {

    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

    /** Leave each connection's idle timeout as it is when the drain starts; see {@link #stop}. */
    private static final long KEEP_IDLE_TIMEOUT = -1;
    private static final Duration CONNECTION_POLL = Duration.ofMillis(5);
    /**
     * A handshake takes microseconds on loopback and a millisecond on a LAN, but one whose last
     * ACK the kernel dropped because the backlog was full completes only when its client sends
     * again (200 ms later at first, then 400 ms more).
     */
    private static final Duration HANDSHAKES_WITHIN = Duration.ofSeconds(1);

    private final HttpSettings settings;
    private final Set<Route> routes;
    private final Json json;
    private final ObjectMapper mapper;
    private final ListenerSource listenerSource;
    private final HandshakeDrain handshakeDrain;
    private final ApiAccess access;
    private final Admission admission;
    private final StopBudget budget;
    private final ConnectionClosing connectionClosing = new ConnectionClosing();
    private final StatisticsHandler statistics = new StatisticsHandler();
    private final GracefulDrain graceful = new GracefulDrain();
    private final AcceptedConnections accepted = new AcceptedConnections();
    private final MeterRegistry registry;
    private final MetricsSettings metrics;
    private volatile @Nullable Server server;
    private volatile @Nullable ServerConnector connector;
    private volatile @Nullable HttpConfiguration httpConfiguration;
    /** Bound here rather than inherited: no one else holds the socket, so its close resets what it has not accepted. */
    private volatile boolean selfBound;
    /** A successor holds the socket too (a handover under way or done), and a filter on it would turn away its clients. */
    private volatile boolean sharedWithSuccessor;
    /** Requests started and in flight when the stop began: the drained count is taken from there. */
    private volatile @Nullable StopMark stopMark;
    /** What the drain came to, once it is over. */
    private volatile @Nullable DrainCount drainCount;

    private record StopMark(long total, long active) {}

    private record DrainCount(long drained, long cut) {}

    @Inject
    HttpServer(HttpSettings settings, Set<Route> routes, Json json, ObjectMapper mapper, ListenerSource listenerSource,
            HandshakeDrain handshakeDrain, ApiAccess access, Admission admission, StopBudget budget, MeterRegistry registry, MetricsSettings metrics) {
        this.settings = settings;
        this.routes = routes;
        this.json = json;
        this.mapper = mapper;
        this.listenerSource = listenerSource;
        this.handshakeDrain = handshakeDrain;
        this.access = access;
        this.admission = admission;
        this.budget = budget;
        this.registry = registry;
        this.metrics = metrics;
        Gauge.builder("http.server.active_requests", this, HttpServer::inFlight)
                .description("Requests in flight on the public port (the drain waits for them)")
                .register(registry);
        Gauge.builder("lastcall.http.open_connections", this, HttpServer::openConnections)
                .description("Connections open on the public port")
                .register(registry);
        FunctionCounter.builder("lastcall.http.drain.requests", this, HttpServer::drainedRequests)
                .description("Requests completed since the stop began (drained) or cut at its deadline")
                .tag("outcome", "drained")
                .register(registry);
        FunctionCounter.builder("lastcall.http.drain.requests", this, HttpServer::cutRequests)
                .description("Requests completed since the stop began (drained) or cut at its deadline")
                .tag("outcome", "cut")
                .register(registry);
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
        jetty.setStopTimeout(budget.httpDrain().toMillis());
        jetty.setErrorHandler(new ProblemErrorHandler(mapper, connectionClosing));

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // No acceptor thread: one selector accepts, so the listener can close between two accepts
        // (see closeBetweenAccepts); a blocking acceptor, interrupted by Jetty's shutdown just as it
        // accepts, would leave that connection unanswered.
        ServerConnector listener = new ServerConnector(jetty, 0, 1, new HttpOneConnectionFactory(http));
        accepted.watch(listener);
        listener.setName("public");
        listener.setIdleTimeout(settings.idleTimeout().toMillis());
        // Jetty's default (1s) would cut a slow in-flight upload as soon as the drain begins.
        listener.setShutdownIdleTimeout(KEEP_IDLE_TIMEOUT);
        graceful.setShutdownIdleTimeout(KEEP_IDLE_TIMEOUT);
        Optional<ServerSocketChannel> inherited = listenerSource.inherited();
        if (inherited.isPresent()) {
            listener.open(inherited.get());
        } else {
            listener.setHost(settings.host());
            listener.setPort(settings.port());
            selfBound = true;
        }
        jetty.addConnector(listener);

        RouteNames routeNames = new RouteNames(routes);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addFilter(new FilterHolder(new RouteFilter(routeNames)), "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addFilter(new FilterHolder(new ProblemFilter(json, connectionClosing)), "/*",
                EnumSet.of(DispatcherType.REQUEST));
        context.addFilter(new FilterHolder(new ApiAccessFilter(access, json)), ApiAccess.PATH_SPEC,
                EnumSet.of(DispatcherType.REQUEST));
        context.addFilter(new FilterHolder(new AdmissionFilter(admission, json)), ApiAccess.PATH_SPEC,
                EnumSet.of(DispatcherType.REQUEST));
        if (access.open() && routes.stream().anyMatch(route -> route.pathSpec().startsWith(ApiAccess.PREFIX))) {
            log.warn("http: api.tokens is empty, so the API under /v1 is open to anyone who can reach {}", settings.host());
        }
        for (Route route : routes) {
            context.addServlet(new ServletHolder(route.servlet()), route.pathSpec());
        }
        context.addServlet(new ServletHolder(new NoRouteServlet()), "/");
        SizeLimitHandler sizeLimit = new SizeLimitHandler(settings.maxRequestBody(), -1);
        sizeLimit.setHandler(context);
        connectionClosing.setHandler(sizeLimit);
        statistics.setHandler(connectionClosing);
        graceful.setHandler(statistics);
        Handler timed = graceful;
        if (metrics.enabled()) {
            RequestMetrics timing = new RequestMetrics(registry, routeNames);
            timing.setHandler(graceful);
            timed = timing;
        }
        RequestContextHandler requestContext = new RequestContextHandler();
        requestContext.setHandler(timed);
        jetty.setHandler(requestContext);
        if (settings.accessLog()) {
            jetty.setRequestLog(new AccessLog(settings.trustedProxies()));
        }

        server = jetty;
        connector = listener;
        httpConfiguration = http;
        jetty.start();
        // the address actually listened on: with socket activation it is systemd's, not http.host
        InetSocketAddress address = (InetSocketAddress) ((ServerSocketChannel) listener.getTransport()).getLocalAddress();
        log.info("http: listening on {}:{} ({} routes)", address.getAddress().getHostAddress(), port(), routes.size());
    }

    /**
     * A connector for requests this process sends itself, in memory, through the same handlers as
     * the public port's ({@link HandoverWarmUp}); {@link #closeInMemory} removes it.
     */
    LocalConnector openInMemory() throws Exception {
        Server jetty = Objects.requireNonNull(server, "the server has not started");
        LocalConnector local = new LocalConnector(jetty, new HttpOneConnectionFactory(Objects.requireNonNull(httpConfiguration)));
        local.setName("warm-up");
        jetty.addConnector(local);
        local.start();
        return local;
    }

    void closeInMemory(LocalConnector local) throws Exception {
        local.stop();
        Objects.requireNonNull(server).removeConnector(local);
    }

    /** The bound port, useful when {@code http.port} is 0. */
    public int port() {
        return connector == null ? -1 : connector.getLocalPort();
    }

    /** Whether the listener is open: from start until the drain closes it (this process's copy, if inherited). */
    public boolean accepting() {
        ServerConnector listener = connector;
        return listener != null && listener.isOpen();
    }

    /** Requests that have started and not yet completed. */
    public long inFlight() {
        return statistics.getRequestsActive();
    }

    private long openConnections() {
        ServerConnector listener = connector;
        return listener == null ? 0 : listener.getConnectedEndPoints().size();
    }

    /** Requests completed since the stop began, counting up while the drain runs. */
    private long drainedRequests() {
        DrainCount done = drainCount;
        if (done != null) {
            return done.drained();
        }
        StopMark mark = stopMark;
        if (mark == null) {
            return 0;
        }
        long completedNow = statistics.getRequestTotal() - statistics.getRequestsActive();
        return completedNow - (mark.total() - mark.active());
    }

    private long cutRequests() {
        DrainCount done = drainCount;
        return done == null ? 0 : done.cut();
    }

    @Override
    public String stopStatus() {
        long requests = inFlight();
        return "draining: %d %s in flight".formatted(requests, requests == 1 ? "request" : "requests");
    }

    /**
     * DESIGN.md step 2: until {@code end}, the listener stays open and requests are served as usual,
     * but every response carries {@code Connection: close}, so a proxy retires its pooled
     * connections instead of racing the close of an idle one. Does nothing if the server never started.
     */
    public void drainDelay(Deadline end) throws InterruptedException {
        if (server == null) {
            return;
        }
        stopBegins();
        Duration delay = end.remaining();
        if (!delay.isZero()) {
            log.info("http: drain delay {}: serving with Connection: close, {} in flight", Seconds.of(delay), inFlight());
            Thread.sleep(delay);
        }
    }

    /**
     * DESIGN.md step 3, the drain. The listener closes. Until {@code drainDeadline}, requests in
     * flight finish and a request that arrives on a connection already open is served too, with
     * {@code Connection: close} like every response since the stop began, so each connection gets at
     * most one more (see {@link GracefulDrain}). A connection with nothing in flight closes once it
     * has been idle for {@code http.drainIdleTimeout}: a client that just had an answer (one sent
     * before the stop, without {@code Connection: close}) may be sending its next request right
     * now, and closing under it would fail that request; one idle for longer is no likelier to send
     * in the next instant than at any other. At the deadline what is still in flight is cut.
     */
    @Override
    public StopResult stop(Deadline drainDeadline) throws Exception {
        Server jetty = server;
        ServerConnector listener = connector;
        if (jetty == null || listener == null) {
            return StopResult.complete("");
        }
        stopBegins();
        serveRequestsUntil(drainDeadline);
        if (listener.isOpen()) {
            if (selfBound && !sharedWithSuccessor) {
                finishHandshakes(drainDeadline);
            }
            closeBetweenAccepts(listener, drainDeadline, true);
        }
        log.info("http: listener closed, draining {} in-flight requests for up to {}",
                inFlight(), Seconds.of(drainDeadline.remaining()));
        listener.shutdown();
        Duration quiet = settings.drainIdleTimeout();
        awaitWhile(() -> inFlight() > 0 || accepted.anyMayOweAnswer(listener, quiet), drainDeadline);
        accepted.closeThoseOwingNothing(listener, quiet);
        // A request sent on a quiet connection just before it was checked is served, not cut.
        awaitWhile(() -> inFlight() > 0, drainDeadline);
        long cut = statistics.getRequestsActive();
        if (cut > 0) {
            log.warn("http: {} requests still in flight at the stop timeout; cutting them", cut);
        }
        // What is left is connections idle for a while or done (or, past the deadline, requests we cut).
        listener.getConnectedEndPoints().forEach(EndPoint::close);
        // Jetty's own graceful wait would only repeat ours; after a cut it would wait for requests we just failed.
        jetty.setStopTimeout(cut == 0 ? Math.max(1, drainDeadline.remaining().toMillis()) : 0);
        jetty.stop();

        StopMark mark = Objects.requireNonNull(stopMark);
        long completed = statistics.getRequestTotal() - mark.total() + mark.active() - cut;
        drainCount = new DrainCount(completed, cut);
        String summary = "%d requests drained, %d cut".formatted(completed, cut);
        return cut == 0 ? StopResult.complete(summary) : StopResult.cut(summary);
    }

    /**
     * Before the close of a socket only this process holds, which would reset every connection
     * the kernel completed or half-completed since the last accept: no new handshakes, and those
     * under way complete and are accepted (see {@link HandshakeDrain}).
     */
    private void finishHandshakes(Deadline drainDeadline) throws InterruptedException {
        Deadline handshakesDeadline = drainDeadline.atMost(HANDSHAKES_WITHIN);
        Duration limit = handshakesDeadline.remaining();
        try {
            if (!handshakeDrain.turnAwayNewAndAwaitUnderWay(port(), handshakesDeadline)) {
                log.warn("http: handshakes still under way {} after new connections were turned away; "
                        + "closing the listener resets them", Seconds.of(limit));
            }
        } catch (IOException | RuntimeException e) {
            log.warn("http: could not hold off new connections before closing the listener ({}); "
                    + "one connecting right now may be reset", e.getMessage());
        }
    }

    /**
     * Whether a successor holds the listening socket too: from a handover's start on, and again
     * not once a successor that failed has been reaped.
     */
    public void sharedWithSuccessor(boolean shared) {
        sharedWithSuccessor = shared;
    }

    /** From now on a request is served only until {@code deadline}; past it, it gets 503. */
    void serveRequestsUntil(Deadline deadline) {
        graceful.serveUntil(deadline);
        graceful.shutdown();
    }

    /**
     * A hot handover's first step, before the stop: the successor accepts from the same socket,
     * so this process stops accepting at once, leaves the connections waiting in the backlog to
     * the successor, and serves only the connections it has.
     */
    public void stopAccepting(Deadline deadline) throws Exception {
        ServerConnector listener = connector;
        if (listener != null && listener.isOpen()) {
            closeBetweenAccepts(listener, deadline, false);
            log.info("http: stopped accepting; the successor accepts from the same socket");
        }
    }

    /** From the stop's first step on, every response says {@code Connection: close}. */
    private synchronized void stopBegins() {
        if (stopMark == null) {
            stopMark = new StopMark(statistics.getRequestTotal(), statistics.getRequestsActive());
            connectionClosing.closeEveryConnection();
        }
    }

    /**
     * Closes the listening channel on the selector thread that accepts from it, between two rounds
     * of accepts. Closed from another thread, Jetty's accept loop (12.1) fails on the closed channel
     * and closes the connection it accepted just before, resetting that client. Connections the
     * kernel completed since the selector last accepted are accepted first: closing the channel
     * would reset them too, after their clients (a proxy) may have sent a request it cannot retry.
     * With an inherited socket, only this process's copy closes and later connections wait in
     * systemd's backlog for the next process.
     */
    private static void closeBetweenAccepts(ServerConnector listener, Deadline deadline, boolean acceptWaitingFirst)
            throws Exception {
        ServerSocketChannel channel = (ServerSocketChannel) listener.getTransport();
        CompletableFuture<@Nullable Void> closed = new CompletableFuture<>();
        // one selector (see start), so it is the one the acceptor is registered with
        ManagedSelector selector = listener.getSelectorManager().getBean(ManagedSelector.class);
        selector.submit(ignored -> {
            try {
                try {
                    if (acceptWaitingFirst) {
                        acceptWaiting(listener, channel);
                    }
                } finally {
                    channel.close();
                }
                closed.complete(null);
            } catch (IOException | RuntimeException e) {
                closed.completeExceptionally(e);
            }
        });
        try {
            closed.get(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            log.warn("http: the selector did not close the listener in time; closing it from here");
            channel.close();
        }
    }

    /** Hands Jetty, as its own accept loop would, every connection waiting in the channel's backlog. */
    private static void acceptWaiting(ServerConnector listener, ServerSocketChannel channel) throws IOException {
        // non-blocking: with no acceptor thread Jetty configures the channel for its selector
        for (SocketChannel waiting = channel.accept(); waiting != null; waiting = channel.accept()) {
            waiting.configureBlocking(false);
            waiting.setOption(StandardSocketOptions.TCP_NODELAY, listener.getAcceptedTcpNoDelay());
            listener.getSelectorManager().accept(waiting);
        }
    }

    /** Waits, at most until the deadline, while closing the connections could still reset a client. */
    private static void awaitWhile(BooleanSupplier connectionsOweAnswers, Deadline deadline) throws InterruptedException {
        while (!deadline.hasExpired() && connectionsOweAnswers.getAsBoolean()) {
            Thread.sleep(CONNECTION_POLL);
        }
    }


}
