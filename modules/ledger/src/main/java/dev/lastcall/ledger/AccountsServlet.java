package dev.lastcall.ledger;

import dev.lastcall.platform.http.Json;
import dev.lastcall.platform.http.ProblemException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.jspecify.annotations.Nullable;

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
    private static final Set<String> LISTING_PARAMETERS = Set.of("limit", "after");

    private final Json json;
    private final Accounts accounts;

    @Inject
    AccountsServlet(Json json, Accounts accounts) {
        this.json = json;
        this.accounts = accounts;
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!Paths.segments(request.getPathInfo()).isEmpty()) {
            throw Paths.methodNotAllowed("POST", "GET");
        }
        Account account = accounts.open(json.read(request, AccountRequest.class).validate());
        response.setHeader("Location", account.location());
        json.write(response, 201, account);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        List<String> path = Paths.segments(request.getPathInfo());
        if (path.isEmpty()) {
            throw Paths.methodNotAllowed("GET", "POST");
        }
        String code = path.getFirst();
        if (path.size() == 1) {
            requireAccountCode(code);
            json.write(response, 200, accounts.find(code).orElseThrow(() -> accountNotFound(code)));
        } else if (path.size() == 2 && path.get(1).equals("transfers")) {
            int limit = limit(request.getParameterMap());
            OptionalLong after = after(request.getParameterMap());
            requireAccountCode(code);
            json.write(response, 200, accounts.transfers(code, limit, after).orElseThrow(() -> accountNotFound(code)));
        } else {
            throw Paths.notFound();
        }
    }

    /** A path segment that is no account code names no account; it is not repeated back. */
    private static void requireAccountCode(String code) {
        if (!Fields.isAccountCode(code)) {
            throw new ProblemException(404, "account_not_found", "Account not found", "no account at this path");
        }
    }

    private static int limit(Map<String, String[]> parameters) {
        rejectUnknown(parameters);
        String value = single(parameters, "limit");
        if (value == null) {
            return DEFAULT_LIMIT;
        }
        if (!value.matches("[0-9]{1,3}") || Integer.parseInt(value) < 1 || Integer.parseInt(value) > MAX_LIMIT) {
            throw ProblemException.badRequest("query parameter 'limit' must be an integer from 1 to " + MAX_LIMIT);
        }
        return Integer.parseInt(value);
    }

    private static OptionalLong after(Map<String, String[]> parameters) {
        String value = single(parameters, "after");
        if (value == null) {
            return OptionalLong.empty();
        }
        OptionalLong id = Cursor.decode(value);
        if (id.isEmpty()) {
            throw ProblemException.badRequest(
                    "query parameter 'after' must be a cursor from the 'next' member of an earlier page");
        }
        return id;
    }

    private static void rejectUnknown(Map<String, String[]> parameters) {
        for (String name : parameters.keySet()) {
            if (!LISTING_PARAMETERS.contains(name)) {
                throw ProblemException.badRequest("unknown query parameter '%s'; known: limit, after".formatted(name));
            }
        }
    }

    private static @Nullable String single(Map<String, String[]> parameters, String name) {
        String[] values = parameters.get(name);
        if (values == null) {
            return null;
        }
        if (values.length != 1) {
            throw ProblemException.badRequest("query parameter '%s' given %d times".formatted(name, values.length));
        }
        return values[0];
    }

    private static ProblemException accountNotFound(String code) {
        return new ProblemException(404, "account_not_found", "Account not found",
                "no account with code '%s'".formatted(code));
    }
}
