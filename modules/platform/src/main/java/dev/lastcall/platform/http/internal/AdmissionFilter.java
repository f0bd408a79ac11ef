package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.http.Json;
import dev.lastcall.platform.http.Problem;
import dev.lastcall.platform.http.ProblemException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;

/** Lets a {@code /v1} request through when {@link Admission} gives it a turn, else answers 503 {@code overloaded}. */
final class AdmissionFilter extends HttpFilter {

    static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    /** Larger than any body the API takes but an unusual one; a larger body is not read, and the connection closes. */
    private static final long LARGEST_BODY_READ = 16 * 1024;

    private final Admission admission;
    private final Json json;

    AdmissionFilter(Admission admission, Json json) {
        this.admission = admission;
        this.json = json;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        Admission.Outcome outcome = admission.enter();
        if (outcome.admitted()) {
            try {
                chain.doFilter(request, response);
            } finally {
                admission.leave();
            }
            return;
        }
        if (!bodyDropped(request)) {
            // As for a 401: the body is not read, so Jetty closes the connection; said here, no
            // client sends its next request on it.
            response.setHeader("Connection", "close");
        }
        json.writeProblem(response, new ProblemException(Problem.of(503, "overloaded", "Overloaded",
                detail(outcome)), RETRY_AFTER));
    }

    /**
     * Reads and drops a small body, so that the connection stays open: a refused client that comes
     * back after Retry-After then costs no new connection while the service is busiest.
     */
    private static boolean bodyDropped(HttpServletRequest request) {
        long length = request.getContentLengthLong();
        if (length <= 0) {
            return request.getHeader("Transfer-Encoding") == null;
        }
        if (length > LARGEST_BODY_READ) {
            return false;
        }
        try {
            request.getInputStream().skipNBytes(length);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String detail(Admission.Outcome outcome) {
        AdmissionSettings limits = admission.settings();
        String why = outcome == Admission.Outcome.QUEUE_FULL
                ? "%d requests run and %d wait already".formatted(limits.maxActive(), limits.maxQueued())
                : "no turn came within %d ms".formatted(limits.queueTimeout().toMillis());
        return "the service is at its limit (" + why + "); nothing was done: retry after "
                + RETRY_AFTER.toSeconds() + " s, with the same Idempotency-Key";
    }
}
