package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.context.RequestContext;
import dev.lastcall.platform.context.RequestId;
import dev.lastcall.platform.database.DatabaseUnavailable;
import dev.lastcall.platform.http.Json;
import dev.lastcall.platform.http.Problem;
import dev.lastcall.platform.http.ProblemException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.eclipse.jetty.http.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what a route throws into a problem response: its own problem, 503 with {@code Retry-After}
 * when the database cannot take the work now, or a logged 500.
 */
final class ProblemFilter extends HttpFilter {

    private static final Logger log = LoggerFactory.getLogger(ProblemFilter.class);

    private final Json json;
    private final ConnectionClosing connectionClosing;

    ProblemFilter(Json json, ConnectionClosing connectionClosing) {
        this.json = json;
        this.connectionClosing = connectionClosing;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        try {
            chain.doFilter(request, response);
        } catch (ProblemException problem) {
            answer(request, response, problem);
        } catch (DatabaseUnavailable unavailable) {
            answer(request, response, new ProblemException(Problem.of(503, unavailable.code(), unavailable.title(),
                    unavailable.getMessage()), unavailable.retryAfter()));
        } catch (RuntimeException e) {
            if (e instanceof HttpException http) {
                answer(request, response, new ProblemException(
                        ProblemErrorHandler.problemFor(http.getCode(), http.getReason()), null));
                return;
            }
            log.error("{} {} failed", request.getMethod(), request.getRequestURI(), e);
            answer(request, response, new ProblemException(ProblemErrorHandler.problemFor(500, null), null));
        }
    }

    private void answer(HttpServletRequest request, HttpServletResponse response, ProblemException problem)
            throws IOException {
        if (response.isCommitted()) {
            log.warn("{} {}: {} after the response was committed", request.getMethod(), request.getRequestURI(), problem.getMessage());
            return;
        }
        response.reset();
        if (connectionClosing.closing() || !UnreadBody.dropped(request)) {
            response.setHeader("Connection", "close");
        }
        RequestContext.current().ifPresent(context -> response.setHeader(RequestId.HEADER, context.requestId().value()));
        json.writeProblem(response, problem);
    }
}
