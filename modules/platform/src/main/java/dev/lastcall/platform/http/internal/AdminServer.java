package dev.lastcall.platform.http.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.Lifecycle;
import dev.lastcall.platform.lifecycle.Managed;
import dev.lastcall.platform.lifecycle.Phase;
import dev.lastcall.platform.lifecycle.StopResult;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
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
 * The admin port: {@code GET /health/live} and {@code GET /health/ready}. It is its own Jetty
 * server in the lifecycle's first phase ({@link Phase#ADMIN}): it starts before everything and
 * the shutdown sequence stops it after its report, so an operator can watch a drain to its end.
 */
public final class AdminServer implements Managed {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final int MAX_THREADS = 8;

    private final HttpSettings settings;
    /** A provider: the lifecycle is made of the components, this one among them. */
    private final Provider<Lifecycle> lifecycle;
    private final HttpServer http;
    private final ObjectMapper mapper;
    private @Nullable Server server;
    private @Nullable ServerConnector connector;

    @Inject
    AdminServer(HttpSettings settings, Provider<Lifecycle> lifecycle, HttpServer http, ObjectMapper mapper) {
        this.settings = settings;
        this.lifecycle = lifecycle;
        this.http = http;
        this.mapper = mapper;
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
        ServerConnector listener = new ServerConnector(jetty, 1, 1);
        listener.setName("admin");
        listener.setHost(settings.adminHost());
        listener.setPort(settings.adminPort());
        jetty.addConnector(listener);
        jetty.setHandler(new HealthHandler());
        server = jetty;
        connector = listener;
        jetty.start();
        log.info("admin: health on {}:{}", settings.adminHost(), port());
    }

    public int port() {
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

    private final class HealthHandler extends Handler.Abstract.NonBlocking {

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String path = Request.getPathInContext(request);
            boolean ready = path.equals("/health/ready");
            if (!ready && !path.equals("/health/live")) {
                return false;
            }
            if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
                Response.writeError(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405);
                return true;
            }
            Health health = Health.of(lifecycle.get(), http.inFlight());
            boolean up = ready ? health.ready() : health.live();
            response.setStatus(up ? HttpStatus.OK_200 : HttpStatus.SERVICE_UNAVAILABLE_503);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.write(true, ByteBuffer.wrap(mapper.writeValueAsBytes(health)), callback);
            return true;
        }
    }
}
