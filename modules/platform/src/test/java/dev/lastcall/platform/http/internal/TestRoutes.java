package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.http.Routes;
import dev.lastcall.platform.http.ProblemException;
import dev.lastcall.platform.http.Json;
import com.google.inject.AbstractModule;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A module contributing test routes the way a business module would: through {@link Routes}. */
final class TestRoutes extends AbstractModule {

    /** A body the echo route binds strictly. */
    record Transfer(long amount, String currency) {}

    private final Gate gate;

    TestRoutes(Gate gate) {
        this.gate = gate;
    }

    @Override
    protected void configure() {
        bind(Gate.class).toInstance(gate);
        Routes.of(binder())
                .serve("/hello", Hello.class)
                .serve("/echo", Echo.class)
                .serve("/upload", Upload.class)
                .serve("/boom", Boom.class)
                .serve("/refuse", Refuse.class)
                .serve("/hold", Hold.class)
                .serve("/items/*", Items.class, "/items/{id}")
                .serve("/log", Log.class);
    }

    /** Lets the test hold requests inside a route and release them when it wants. */
    static final class Gate {
        private static final Duration LONGEST_HOLD = Duration.ofSeconds(30);

        private final Semaphore entered = new Semaphore(0);
        private final CountDownLatch release = new CountDownLatch(1);

        void awaitEntered(int requests) throws InterruptedException {
            if (!entered.tryAcquire(requests, 10, TimeUnit.SECONDS)) {
                throw new AssertionError("expected " + requests + " requests to reach /hold");
            }
        }

        void release() {
            release.countDown();
        }

        private void hold() throws InterruptedException {
            entered.release();
            release.await(LONGEST_HOLD.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Singleton
    static final class Hello extends HttpServlet {
        private final Json json;

        @Inject
        Hello(Json json) {
            this.json = json;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            json.write(response, 200, Map.of("hello", "world"));
        }
    }

    @Singleton
    static final class Echo extends HttpServlet {
        private final Json json;

        @Inject
        Echo(Json json) {
            this.json = json;
        }

        @Override
        protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
            json.write(response, 200, json.read(request, Transfer.class));
        }
    }

    /** Reads the whole body, however slowly it arrives, and says how many bytes it got. */
    @Singleton
    static final class Upload extends HttpServlet {
        private final Json json;

        @Inject
        Upload(Json json) {
            this.json = json;
        }

        @Override
        protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
            long bytes;
            try (InputStream body = request.getInputStream()) {
                bytes = body.transferTo(java.io.OutputStream.nullOutputStream());
            }
            json.write(response, 200, Map.of("bytes", bytes));
        }
    }

    static final class Boom extends HttpServlet {
        static final String SECRET = "secret-detail-from-a-failing-route";

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) {
            throw new IllegalStateException(SECRET);
        }
    }

    static final class Refuse extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) {
            throw new ProblemException(409, "account_frozen", "Account frozen", "the account is frozen");
        }
    }

    /** A route for many paths: {@code /items/<id>} answers the id. */
    @Singleton
    static final class Items extends HttpServlet {
        private final Json json;

        @Inject
        Items(Json json) {
            this.json = json;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            json.write(response, 200, Map.of("item", String.valueOf(request.getPathInfo()).substring(1)));
        }
    }

    /** Logs one line while it handles the request. */
    static final class Log extends HttpServlet {
        static final String LINE = "test route: handling a request";
        private static final Logger log = LoggerFactory.getLogger(Log.class);

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) {
            log.info(LINE);
            response.setStatus(204);
        }
    }

    @Singleton
    static final class Hold extends HttpServlet {
        private final Gate gate;
        private final Json json;

        @Inject
        Hold(Gate gate, Json json) {
            this.gate = gate;
            this.json = json;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            try {
                gate.hold();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while held", e);
            }
            json.write(response, 200, Map.of("held", true));
        }
    }
}
