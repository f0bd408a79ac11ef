package dev.lastcall.platform.http;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The segments of the path below a servlet's prefix: for a servlet at {@code /v1/accounts/*},
 * {@code /v1/accounts} is [] and {@code /v1/accounts/alice/transfers} is [alice, transfers].
 * A path with an empty segment ({@code /v1/accounts/}, {@code /v1/accounts/alice/},
 * {@code /v1/accounts//alice}) names no resource: it is a 404 {@code not_found} on every route.
 */
public final class PathSegments {

    private PathSegments() {}

    /** @throws ProblemException 404 {@code not_found} for a path with an empty segment */
    public static List<String> of(HttpServletRequest request) {
        return of(request.getPathInfo());
    }

    static List<String> of(@Nullable String pathInfo) {
        if (pathInfo == null || pathInfo.isEmpty()) {
            return List.of();
        }
        List<String> segments = List.of(pathInfo.substring(1).split("/", -1));
        if (segments.contains("")) {
            throw ProblemException.notFound();
        }
        return segments;
    }
}
