package dev.lastcall.platform.http.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.platform.http.Problem;
import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.Managed;
import dev.lastcall.platform.lifecycle.Phase;
import dev.lastcall.platform.lifecycle.StopResult;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin port: {@code GET /health/live}, {@code GET /health/ready} and whatever other {@link
 * AdminEndpoint}s are bound, each behind {@link AdminAccess}. It is its own Jetty
 * server in the lifecycle's first phase ({@link Phase#ADMIN}): it starts before everything and
 * the shutdown sequence stops it after its report, so an operator can watch a drain to its end.
 */
public final class AdminServer implements Managed {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final int MAX_THREADS = 8;

    private final HttpSettings settings;
    private final AdminAccess access;
    private final ObjectMapper mapper;
    private final Map<String, AdminEndpoint> endpoints = new TreeMap<>();
    private final AdminListenerSource listenerSource;
    private int inheritedPort = -1;
    private @Nullable Server server;
    private @Nullable ServerConnector connector;

    @Inject
    AdminServer(HttpSettings settings, AdminAccess access, HealthEndpoints health, ObjectMapper mapper,
            Set<AdminEndpoint> more, AdminListenerSource listenerSource) {
        this.settings = settings;
        this.listenerSource = listenerSource;
        this.access = access;
        this.mapper = mapper;
        for (AdminEndpoint endpoint : List.of(health.live(), health.ready())) {
            endpoints.put(endpoint.path(), endpoint);
        }
        for (AdminEndpoint endpoint : more) {
            if (endpoints.putIfAbsent(endpoint.path(), endpoint) != null) {
                throw new IllegalStateException("two admin endpoints at " + endpoint.path());
            }
        }
    }

    @Override
    public String name() {
        return "admin";
    }

    @Override
    public void start() throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 2);
        threads.setName("admin");
        threads.setDaemon(true);
        Server jetty = new Server(threads);
        jetty.setStopAtShutdown(false);
        jetty.setErrorHandler(new ProblemErrorHandler(mapper, new ConnectionClosing()));
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector listener = new ServerConnector(jetty, 1, 1, new HttpOneConnectionFactory(http));
        listener.setName("admin");
        if (listenerSource.inherited()) {
            inheritedPort = listenerSource.port();
            listener.open(listenerSource.passed().inherited().orElseThrow());
            log.info("admin: using the listening socket passed on {}, port {} (admin.host and admin.port are not bound)",
                    listenerSource.origin(), inheritedPort);
        } else {
            listener.setHost(settings.adminHost());
            listener.setPort(settings.adminPort());
        }
        jetty.addConnector(listener);
        jetty.setHandler(new EndpointHandler());
        server = jetty;
        connector = listener;
        if (listenerSource.inherited()) {
            log.info("admin: {} on port {} once the predecessor has handed over", String.join(", ", endpoints.keySet()), port());
            return;
        }
        jetty.start();
        log.info("admin: {} on {}:{}", String.join(", ", endpoints.keySet()), settings.adminHost(), port());
    }

    /**
     * A hot handover's successor: starts answering on the admin socket the predecessor passed,
     * once it has handed over. Until then the predecessor answers there alone, so health does
     * not flip between the two processes' answers.
     */
    public void startAccepting() throws Exception {
        Server jetty = server;
        if (jetty != null && !jetty.isStarted()) {
            jetty.start();
            log.info("admin: answering on port {}", port());
        }
    }

    /** A hot handover's predecessor: leaves the admin socket to the successor. */
    public void stopAccepting() {
        ServerConnector listener = connector;
        if (listener != null && listener.isOpen()) {
            int port = port();
            listener.close();
            log.info("admin: stopped accepting; the successor answers on port {}", port);
        }
    }

    public int port() {
        if (inheritedPort > 0) {
            return inheritedPort;
        }
        return connector == null ? -1 : connector.getLocalPort();
    }

    /** Closes the admin port at once; nothing there needs draining. */
    @Override
    public StopResult stop(Deadline deadline) throws Exception {
        Server jetty = server;
        if (jetty != null) {
            jetty.stop();
        }
        return StopResult.complete("");
    }

    // Blocking: a health answer may wait for the database check, so it must not run on a selector thread.
    private final class EndpointHandler extends Handler.Abstract {

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            if (!access.allows(request.getHeaders().getValuesList(HttpHeader.AUTHORIZATION))) {
                response.setStatus(HttpStatus.UNAUTHORIZED_401);
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"lastcall-admin\"");
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
                response.write(true, ByteBuffer.wrap(mapper.writeValueAsBytes(Problem.of(401, "unauthorized",
                        "Unauthorized", "send Authorization: Bearer <token> with one of the tokens in admin.tokens"))),
                        callback);
                return true;
            }
            AdminEndpoint endpoint = endpoints.get(Request.getPathInContext(request));
            if (endpoint == null) {
                return false;
            }
            if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
                response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
                Response.writeError(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405);
                return true;
            }
            AdminEndpoint.Answer answer = endpoint.answer(name -> request.getHeaders().get(name));
            response.setStatus(answer.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.write(true, ByteBuffer.wrap(answer.body()), callback);
            return true;
        }
    }
}
