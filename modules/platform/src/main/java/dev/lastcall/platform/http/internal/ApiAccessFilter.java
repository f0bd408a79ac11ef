package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.http.Json;
import dev.lastcall.platform.http.ProblemException;
import dev.lastcall.platform.http.WarmUp;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Answers 401 {@code unauthorized} to a {@code /v1} request without a valid bearer token (a warm-up's, sent in memory by this process, needs none). */
final class ApiAccessFilter extends HttpFilter {

    private final ApiAccess access;
    private final Json json;

    ApiAccessFilter(ApiAccess access, Json json) {
        this.access = access;
        this.json = json;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (WarmUp.isWarmUp(request) || access.allows(request.getHeaders("Authorization"))) {
            chain.doFilter(request, response);
            return;
        }
        response.setHeader("WWW-Authenticate", "Bearer realm=\"lastcall\"");
        if (request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null) {
            // The body of a refused request is not read, and Jetty closes the connection after this
            // answer rather than wait for it; said here, no client sends its next request on it.
            response.setHeader("Connection", "close");
        }
        json.writeProblem(response, new ProblemException(401, "unauthorized", "Unauthorized",
                "send Authorization: Bearer <token> with one of the tokens in api.tokens"));
    }
}
