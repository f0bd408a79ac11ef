package dev.lastcall.ledger;

import dev.lastcall.platform.http.ProblemException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Splits a servlet's path info into segments and names the common path problems. */
final class Paths {

    private Paths() {}

    /** {@code null} or empty for the collection itself, {@code "/a/b"} as [a, b]. */
    static List<String> segments(@Nullable String pathInfo) {
        if (pathInfo == null || pathInfo.isEmpty()) {
            return List.of();
        }
        return List.of(pathInfo.substring(1).split("/", -1));
    }

    static ProblemException notFound() {
        return new ProblemException(404, "not_found", "Not Found", "no resource at this path");
    }

    static ProblemException methodNotAllowed(String method, String allowed) {
        return new ProblemException(405, "method_not_allowed", "Method Not Allowed",
                "%s is not allowed here; allowed: %s".formatted(method, allowed));
    }
}
