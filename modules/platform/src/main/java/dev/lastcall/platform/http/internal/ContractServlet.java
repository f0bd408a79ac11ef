package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.http.ProblemException;
import jakarta.inject.Singleton;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /v1/openapi.json}: the OpenAPI contract of {@code /v1}, as shipped in the jar from
 * {@code config/openapi.json}. Under {@code /v1}, so {@code api.tokens} apply to it as to the API.
 */
@Singleton
public final class ContractServlet extends HttpServlet {

    public static final String PATH = "/v1/openapi.json";
    /** The contract inside the jar; the same file is {@code config/openapi.json} in the repository. */
    public static final String RESOURCE = "openapi.json";

    private final byte[] contract;

    ContractServlet() {
        try (InputStream in = ContractServlet.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            contract = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String method = request.getMethod();
        switch (method) {
            case "GET", "HEAD" -> write(response);
            default -> throw ProblemException.methodNotAllowed(method, "GET", "HEAD");
        }
    }

    private void write(HttpServletResponse response) throws IOException {
        response.setStatus(200);
        response.setContentType("application/json");
        response.setContentLength(contract.length);
        response.getOutputStream().write(contract);
    }
}
