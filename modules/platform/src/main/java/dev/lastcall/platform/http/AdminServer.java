package dev.lastcall.platform.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.platform.lifecycle.Lifecycle;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
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
 * server, outside the lifecycle: it starts before everything and stops after the shutdown report,
 * so an operator can watch a drain to its end.
 */
@Singleton
public final class AdminServer {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final int MAX_THREADS = 8;

    private final HttpSettings settings;
    private final Lifecycle lifecycle;
    private final HttpServer http;
    private final ObjectMapper mapper;
    private @Nullable Server server;
    private @Nullable ServerConnector connector;

    @Inject
    AdminServer(HttpSettings settings, Lifecycle lifecycle, HttpServer http, ObjectMapper mapper) {
        this.settings = settings;
        this.lifecycle = lifecycle;
        this.http = http;
        this.mapper = mapper;
    }

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
    public void stop() {
        Server jetty = server;
        if (jetty == null) {
            return;
        }
        try {
            jetty.stop();
        } catch (Exception e) {
            log.warn("admin: stop failed: {}", e.toString());
        }
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
            Health health = Health.of(lifecycle, http.inFlight());
            boolean up = ready ? health.ready() : health.live();
            response.setStatus(up ? HttpStatus.OK_200 : HttpStatus.SERVICE_UNAVAILABLE_503);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.write(true, ByteBuffer.wrap(mapper.writeValueAsBytes(health)), callback);
            return true;
        }
    }
}
