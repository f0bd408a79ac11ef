package dev.lastcall.platform.http;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Thrown anywhere in a request to answer with a problem; the HTTP layer renders it. */
public class ProblemException extends RuntimeException {

    private final Problem problem;
    private final @Nullable Duration retryAfter;
    private final List<String> allow;

    public ProblemException(int status, String code, String title, @Nullable String detail) {
        this(Problem.of(status, code, title, detail), null);
    }

    public ProblemException(Problem problem, @Nullable Duration retryAfter) {
        this(problem, retryAfter, List.of());
    }

    private ProblemException(Problem problem, @Nullable Duration retryAfter, List<String> allow) {
        super(problem.code() + ": " + (problem.detail() == null ? problem.title() : problem.detail()), null, false, false);
        this.problem = problem;
        this.retryAfter = retryAfter;
        this.allow = List.copyOf(allow);
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, "invalid_request", "Invalid request", detail);
    }

    /** 404 {@code not_found}: the path names no resource. */
    public static ProblemException notFound() {
        return new ProblemException(404, "not_found", "Not Found", "no resource at this path");
    }

    /** 405 {@code method_not_allowed}, answered with an {@code Allow} header listing {@code allowed}. */
    public static ProblemException methodNotAllowed(String method, String... allowed) {
        if (allowed.length == 0) {
            throw new IllegalArgumentException("a resource allows at least one method");
        }
        String list = String.join(", ", allowed);
        return new ProblemException(Problem.of(405, "method_not_allowed", "Method Not Allowed",
                "%s is not allowed here; allowed: %s".formatted(method, list)), null, List.of(allowed));
    }

    public Problem problem() {
        return problem;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The methods the {@code Allow} header lists; empty when the answer has no such header. */
    public List<String> allow() {
        return allow;
    }
}
