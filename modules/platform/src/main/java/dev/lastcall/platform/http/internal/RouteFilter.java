package dev.lastcall.platform.http.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.MappingMatch;
import java.io.IOException;
import java.util.Objects;

/**
 * Notes which route serves the request ({@code /v1/accounts/{code}}, not the account's path), for
 * the access log. Jetty's default servlet, which answers 404 where no route matches, is no route.
 */
final class RouteFilter extends HttpFilter {

    private final RouteNames names;

    RouteFilter(RouteNames names) {
        this.names = names;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletMapping mapping = request.getHttpServletMapping();
        if (mapping != null && mapping.getMappingMatch() != null && mapping.getMappingMatch() != MappingMatch.DEFAULT) {
            String path = request.getServletPath() + Objects.requireNonNullElse(request.getPathInfo(), "");
            names.of(path).ifPresent(route -> ServedRequest.of(request).ifPresent(served -> served.route(route)));
        }
        chain.doFilter(request, response);
    }
}
