package dev.lastcall.platform.http;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Thrown anywhere in a request to answer with a problem; the HTTP layer renders it. */
public class ProblemException extends RuntimeException {

    private final Problem problem;
    private final @Nullable Duration retryAfter;

    public ProblemException(int status, String code, String title, @Nullable String detail) {
        this(Problem.of(status, code, title, detail), null);
    }

    public ProblemException(Problem problem, @Nullable Duration retryAfter) {
        super(problem.code() + ": " + (problem.detail() == null ? problem.title() : problem.detail()), null, false, false);
        this.problem = problem;
        this.retryAfter = retryAfter;
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, "invalid_request", "Invalid request", detail);
    }

    public Problem problem() {
        return problem;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
