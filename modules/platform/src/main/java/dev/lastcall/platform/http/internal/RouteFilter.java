package dev.lastcall.platform.http.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.MappingMatch;
import java.io.IOException;

/**
 * Notes which route serves the request ({@code /v1/accounts/*}, not the account's path), for the
 * access log. Jetty's default servlet, which answers 404 where no route matches, is no route.
 */
final class RouteFilter extends HttpFilter {

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletMapping mapping = request.getHttpServletMapping();
        if (mapping != null && mapping.getMappingMatch() != null && mapping.getMappingMatch() != MappingMatch.DEFAULT) {
            ServedRequest.of(request).ifPresent(served -> served.route(mapping.getPattern()));
        }
        chain.doFilter(request, response);
    }
}
