package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.http.ProblemException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Where no route matches, every method is 404 {@code not_found}. It replaces Jetty's default
 * servlet, whose {@code TRACE} echoed the request's headers ({@code Cookie} and {@code
 * Authorization} included) and whose unknown methods were 501.
 */
final class NoRouteServlet extends HttpServlet {

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) {
        throw ProblemException.notFound();
    }
}
