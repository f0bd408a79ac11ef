package dev.lastcall.app.testing;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Fails every request, so the real jar logs a 500 with its exception. */
public final class FailingServlet extends HttpServlet {

    public static final String MESSAGE = "the test route failed on purpose";

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
        throw new IllegalStateException(MESSAGE);
    }
}
