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
        // a refused client comes back after Retry-After: on the same connection, when its body was small
        if (!UnreadBody.dropped(request)) {
            response.setHeader("Connection", "close");
        }
        json.writeProblem(response, new ProblemException(Problem.of(503, "overloaded", "Overloaded",
                detail(outcome)), RETRY_AFTER));
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
