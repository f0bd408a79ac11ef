package dev.lastcall.platform.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.google.inject.AbstractModule;
import dev.lastcall.platform.http.Routes;
import dev.lastcall.platform.http.WarmUp;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The warm-up of a reload's successor on a real server: the modules' requests go in memory through
 * the same handlers (past {@code api.tokens}), for {@code http.warmUp}, and leave no access line
 * and no request metric; a client on the public port gets no such pass.
 */
class HandoverWarmUpIT {

    private static final String TOKEN = "api-token-0123456789";

    @Test
    void servesTheModulesRequestsInMemoryPastTheTokensWithoutLoggingOrTimingThem() throws Exception {
        try (RunningService running = RunningService.start(Map.of("LASTCALL_API_TOKENS", TOKEN, "LASTCALL_HTTP_WARM_UP", "300ms"),
                new CountedRoute());
                LogEvents events = new LogEvents()) {
            long begin = System.nanoTime();
            running.service.get(HandoverWarmUp.class).run(() -> false);
            long tookMillis = (System.nanoTime() - begin) / 1_000_000;

            int served = running.service.get(Counted.class).served.get();
            assertThat(served).isPositive();
            assertThat(tookMillis).isGreaterThanOrEqualTo(300);
            assertThat(events.from(HandoverWarmUp.class.getName())).map(ILoggingEvent::getFormattedMessage).satisfiesExactly(
                    begun -> assertThat(begun).matches("http: warming up for 0[.]30*s before saying ready"),
                    ended -> assertThat(ended).matches("http: warmed up for [0-9.]+s with " + served
                            + " requests in memory \\(by status \\{200=" + served + "\\}\\)"));
            assertThat(events.accessLines()).isEmpty();
            assertThat(running.service.get(MeterRegistry.class).find(RequestMetrics.NAME).timers()).isEmpty();

            HttpResponse<String> outside = running.client.send(HttpRequest.newBuilder(running.uri("/v1/counted")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(outside.statusCode()).isEqualTo(401);
            assertThat(running.service.get(Counted.class).served.get()).isEqualTo(served);
            await().atMost(Duration.ofSeconds(5)).until(() -> events.accessLines().size() == 1);
        }
    }

    @Test
    void endsAsSoonAsAStopIsRequestedAndDoesNothingWhenSetToZero() throws Exception {
        try (RunningService stopping = RunningService.start(Map.of("LASTCALL_HTTP_WARM_UP", "30s"), new CountedRoute())) {
            AtomicInteger asked = new AtomicInteger();
            long begin = System.nanoTime();
            stopping.service.get(HandoverWarmUp.class).run(() -> asked.incrementAndGet() > 3);
            assertThat((System.nanoTime() - begin) / 1_000_000).isLessThan(10_000);
            assertThat(stopping.service.get(Counted.class).served.get()).isEqualTo(3);
        }
        try (RunningService off = RunningService.start(Map.of("LASTCALL_HTTP_WARM_UP", "0s"), new CountedRoute())) {
            off.service.get(HandoverWarmUp.class).run(() -> false);
            assertThat(off.service.get(Counted.class).served.get()).isZero();
        }
    }

    /** A /v1 route that counts what reaches it, and names itself as a warm-up request. */
    private static final class CountedRoute extends AbstractModule {
        @Override
        protected void configure() {
            Routes.of(binder()).serve("/v1/counted", Counted.class);
            WarmUp.of(binder()).from(CountedWarmUp.class);
        }
    }

    @Singleton
    static final class Counted extends HttpServlet {
        final AtomicInteger served = new AtomicInteger();

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            served.incrementAndGet();
            response.setContentType("application/json");
            response.getWriter().write("{}");
        }
    }

    static final class CountedWarmUp implements WarmUp.Source {
        @Override
        public List<WarmUp.Request> requests() {
            return List.of(WarmUp.Request.get("/v1/counted"));
        }
    }
}
