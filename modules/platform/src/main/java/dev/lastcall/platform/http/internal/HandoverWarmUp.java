package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.http.WarmUp;
import dev.lastcall.platform.lifecycle.Seconds;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.server.LocalConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the successor of a reload does between its start and its word that it is ready: for about
 * {@code http.warmUp} it serves the modules' {@link WarmUp} requests in memory, over and over, so
 * that a fresh JVM's first and slowest requests are its own, not those of the clients that move
 * over when it takes the connections.
 */
public final class HandoverWarmUp {

    private static final Logger log = LoggerFactory.getLogger(HandoverWarmUp.class);
    private static final String STATUS_LINE_START = "HTTP/1.1 ";
    private static final int STATUS_DIGITS = 3;
    /** A request the database makes wait longer says the warm-up is not worth finishing. */
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(5);

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
     * Returns once the time is up (at most one request, of 5 s at most, later), once {@code
     * stopRequested} says so, or once a request has had no answer within 5 s. Nothing here can
     * fail the start: a warm-up only makes what follows faster, so a failure is logged and ends it.
     */
    public void run(BooleanSupplier stopRequested) {
        if (duration.isZero() || sources.isEmpty()) {
            return;
        }
        log.info("http: warming up for {} before saying ready", Seconds.of(duration));
        Map<Integer, Integer> statuses = new TreeMap<>();
        long begin = System.nanoTime();
        try {
            List<byte[]> requests = sources.stream().flatMap(source -> source.requests().stream())
                    .map(WarmUp.Request::wire).toList();
            LocalConnector local = http.openInMemory();
            try {
                begin = System.nanoTime();
                serve(local, requests, begin + duration.toNanos(), stopRequested, statuses);
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

    private static void serve(LocalConnector local, List<byte[]> requests, long end, BooleanSupplier stopRequested,
            Map<Integer, Integer> statuses) throws Exception {
        while (!requests.isEmpty()) {
            for (byte[] request : requests) {
                if (System.nanoTime() - end >= 0 || stopRequested.getAsBoolean()) {
                    return;
                }
                ByteBuffer response = local.getResponse(ByteBuffer.wrap(request), ANSWER_WITHIN.toNanos(), TimeUnit.NANOSECONDS);
                if (response == null) {
                    log.warn("http: a warm-up request had no answer within {}; ending the warm-up", Seconds.of(ANSWER_WITHIN));
                    return;
                }
                statuses.merge(status(response), 1, Integer::sum);
            }
        }
    }

    /** The status of a response as the local connector returns it, whole; 0 for something else. */
    private static int status(ByteBuffer response) {
        String head = StandardCharsets.ISO_8859_1.decode(response).toString();
        int digits = STATUS_LINE_START.length();
        if (!head.startsWith(STATUS_LINE_START) || head.length() < digits + STATUS_DIGITS) {
            return 0;
        }
        try {
            return Integer.parseInt(head, digits, digits + STATUS_DIGITS, 10);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
