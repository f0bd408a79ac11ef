package dev.lastcall.ledger;

import dev.lastcall.platform.http.Json;
import dev.lastcall.platform.http.PathSegments;
import dev.lastcall.platform.http.ProblemException;
import dev.lastcall.platform.http.QueryParameters;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.OptionalLong;

/**
 * {@code POST /v1/accounts}, {@code GET /v1/accounts/{code}} and {@code GET
 * /v1/accounts/{code}/transfers?limit=&after=}.
 */
@Singleton
final class AccountsServlet extends HttpServlet {

    static final String PATH_SPEC = "/v1/accounts/*";
    static final String PREFIX = "/v1/accounts/";
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 100;

    private final Json json;
    private final Accounts accounts;

    @Inject
    AccountsServlet(Json json, Accounts accounts) {
        this.json = json;
        this.accounts = accounts;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        List<String> path = PathSegments.of(request);
        String method = request.getMethod();
        if (path.isEmpty()) {
            switch (method) {
                case "POST" -> open(request, response);
                default -> throw ProblemException.methodNotAllowed(method, "POST");
            }
        } else if (path.size() == 1) {
            switch (method) {
                case "GET", "HEAD" -> show(path.getFirst(), response);
                default -> throw ProblemException.methodNotAllowed(method, "GET", "HEAD");
            }
        } else if (path.size() == 2 && path.get(1).equals("transfers")) {
            switch (method) {
                case "GET", "HEAD" -> transfers(path.getFirst(), request, response);
                default -> throw ProblemException.methodNotAllowed(method, "GET", "HEAD");
            }
        } else {
            throw ProblemException.notFound();
        }
    }

    private void open(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Account account = accounts.open(json.read(request, AccountRequest.class).validate());
        response.setHeader("Location", account.location());
        json.write(response, 201, account);
    }

    private void show(String code, HttpServletResponse response) throws IOException {
        requireAccountCode(code);
        json.write(response, 200, accounts.find(code).orElseThrow(() -> accountNotFound(code)));
    }

    private void transfers(String code, HttpServletRequest request, HttpServletResponse response) throws IOException {
        QueryParameters query = QueryParameters.of(request, "limit", "after");
        int limit = query.limit("limit", DEFAULT_LIMIT, MAX_LIMIT);
        OptionalLong after = query.cursor("after");
        requireAccountCode(code);
        json.write(response, 200, accounts.transfers(code, limit, after).orElseThrow(() -> accountNotFound(code)));
    }

    /** A path segment that is no account code names no account; it is not repeated back. */
    private static void requireAccountCode(String code) {
        if (!Fields.isAccountCode(code)) {
            throw new ProblemException(404, "account_not_found", "Account not found", "no account at this path");
        }
    }

    private static ProblemException accountNotFound(String code) {
        return new ProblemException(404, "account_not_found", "Account not found",
                "no account with code '%s'".formatted(code));
    }
}
