package dev.lastcall.app.testing;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;

/** Reads the whole body, however slowly it arrives, and answers with its length. */
public final class EchoServlet extends HttpServlet {

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long length = 0;
        try (InputStream body = request.getInputStream()) {
            byte[] buffer = new byte[1024];
            for (int n; (n = body.read(buffer)) >= 0; ) {
                length += n;
            }
        }
        response.setContentType("application/json");
        response.getWriter().write("{\"received\":" + length + "}");
    }
}
