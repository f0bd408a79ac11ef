package dev.lastcall.ledger;

import dev.lastcall.ledger.TransferAnswer.KeyInUse;
import dev.lastcall.ledger.TransferAnswer.KeyReused;
import dev.lastcall.ledger.TransferAnswer.Stored;
import dev.lastcall.platform.http.Json;
import dev.lastcall.platform.http.PathSegments;
import dev.lastcall.platform.http.Problem;
import dev.lastcall.platform.http.ProblemException;
import dev.lastcall.platform.http.WarmUp;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** {@code POST /v1/transfers} (with {@code Idempotency-Key}) and {@code GET /v1/transfers/{id}}. */
@Singleton
final class TransfersServlet extends HttpServlet {

    static final String PATH_SPEC = "/v1/transfers/*";
    static final String PREFIX = "/v1/transfers/";
    static final String REPLAYED_HEADER = "Idempotent-Replayed";
    /** How soon a client may retry a key that is in use: about as long as one transfer takes. */
    static final Duration IN_USE_RETRY_AFTER = Duration.ofSeconds(1);

    private final Json json;
    private final Transfers transfers;
    private final LedgerMetrics metrics;

    @Inject
    TransfersServlet(Json json, Transfers transfers, LedgerMetrics metrics) {
        this.json = json;
        this.transfers = transfers;
        this.metrics = metrics;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        List<String> path = PathSegments.of(request);
        String method = request.getMethod();
        if (path.isEmpty()) {
            switch (method) {
                case "POST" -> createCounted(request, response);
                default -> throw ProblemException.methodNotAllowed(method, "POST");
            }
        } else if (path.size() == 1) {
            switch (method) {
                case "GET", "HEAD" -> show(path.getFirst(), response);
                default -> throw ProblemException.methodNotAllowed(method, "GET", "HEAD");
            }
        } else {
            throw ProblemException.notFound();
        }
    }

    /** A refusal before the transfer is decided (a bad body, a missing key) counts by its code too; a warm-up's does not. */
    private void createCounted(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            create(request, response);
        } catch (ProblemException refusal) {
            if (!WarmUp.isWarmUp(request)) {
                metrics.refused(refusal.problem().code());
            }
            throw refusal;
        }
    }

    private void create(HttpServletRequest request, HttpServletResponse response) throws IOException {
        IdempotencyKey key = IdempotencyKey.from(request.getHeaders(IdempotencyKey.HEADER));
        NewTransfer transfer = json.read(request, TransferRequest.class).validate();
        switch (transfers.apply(key, transfer)) {
            case Stored stored -> {
                metrics.answered(stored);
                write(response, stored);
            }
            case KeyInUse inUse -> throw new ProblemException(Problem.of(409, "idempotency_key_in_use",
                    "Idempotency key in use", "a request with this Idempotency-Key is still running; retry shortly"),
                    IN_USE_RETRY_AFTER);
            case KeyReused reused -> throw new ProblemException(422, "idempotency_key_reused", "Idempotency key reused",
                    "this Idempotency-Key was used for a different request; use a new key for a new transfer");
        }
    }

    private void show(String id, HttpServletResponse response) throws IOException {
        // Up to 18 digits always fits a long; anything else names no transfer.
        Optional<Transfer> transfer = id.matches("[1-9][0-9]{0,17}") ? transfers.find(Long.parseLong(id)) : Optional.empty();
        json.write(response, 200, transfer.orElseThrow(() -> new ProblemException(404, "transfer_not_found",
                "Transfer not found", "no transfer with this id")));
    }

    private static void write(HttpServletResponse response, Stored answer) throws IOException {
        response.setStatus(answer.status());
        response.setContentType(answer.status() >= 400 ? Problem.MEDIA_TYPE : "application/json");
        if (answer.transferId() != null) {
            response.setHeader("Location", Transfer.location(answer.transferId()));
        }
        if (answer.replayed()) {
            response.setHeader(REPLAYED_HEADER, "true");
        }
        response.getOutputStream().write(answer.body().getBytes(StandardCharsets.UTF_8));
    }
}
