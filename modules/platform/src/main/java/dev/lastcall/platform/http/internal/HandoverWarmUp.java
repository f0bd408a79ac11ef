package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.http.WarmUp;
import dev.lastcall.platform.lifecycle.Seconds;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.server.LocalConnector;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the successor of a reload does between its start and its word that it is ready: for
 * {@code http.warmUp} it serves the modules' {@link WarmUp} requests in memory, over and over, so
 * that the JIT has compiled the code that serves them before the clients move over. Without it
 * a successor takes every connection with its code still interpreted, on cores the predecessor
 * keeps busy, and the first requests it serves are the slowest of the reload.
 */
public final class HandoverWarmUp {

    private static final Logger log = LoggerFactory.getLogger(HandoverWarmUp.class);

    private final HttpServer http;
    private final Duration duration;
    private final Set<WarmUp.Source> sources;

    @Inject
    HandoverWarmUp(HttpServer http, HttpSettings settings, Set<WarmUp.Source> sources) {
        this.http = http;
        this.duration = settings.warmUp();
        this.sources = sources;
    }

    /**
     * Returns once the time is up or {@code stopRequested} says so. Nothing here can fail the
     * start: a warm-up only makes what follows faster, so a failure is logged and ends it.
     */
    public void run(BooleanSupplier stopRequested) {
        if (duration.isZero() || sources.isEmpty()) {
            return;
        }
        long begin = System.nanoTime();
        Map<Integer, Integer> statuses = new TreeMap<>();
        try {
            List<String> requests = sources.stream().flatMap(source -> source.requests().stream())
                    .map(WarmUp.Request::wire).toList();
            LocalConnector local = http.openInMemory();
            try {
                long end = begin + duration.toNanos();
                while (System.nanoTime() < end && !stopRequested.getAsBoolean()) {
                    for (String request : requests) {
                        statuses.merge(status(local.getResponse(request)), 1, Integer::sum);
                    }
                }
            } finally {
                http.closeInMemory(local);
            }
        } catch (Exception e) {
            log.warn("http: the warm-up ended early: {}", e.getMessage());
        }
        log.info("http: warmed up for {} with {} requests in memory (by status {})",
                Seconds.of(Duration.ofNanos(System.nanoTime() - begin)),
                statuses.values().stream().mapToInt(Integer::intValue).sum(), statuses);
    }

    /** The status of a response as Jetty's local connector returns it; 0 for none within its wait. */
    private static int status(@Nullable String response) {
        if (response == null || !response.startsWith("HTTP/1.1 ") || response.length() < 12) {
            return 0;
        }
        return Integer.parseInt(response, 9, 12, 10);
    }
}
