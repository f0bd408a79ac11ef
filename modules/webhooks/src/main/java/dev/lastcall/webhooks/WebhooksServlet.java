package dev.lastcall.webhooks;

import dev.lastcall.platform.database.Transactions;
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
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /v1/webhooks}: create, list, show and delete subscriptions, and list a subscription's
 * deliveries.
 */
@Singleton
final class WebhooksServlet extends HttpServlet {

    static final String PATH = "/v1/webhooks";
    static final int MAX_DELIVERIES = 100;
    private static final Logger log = LoggerFactory.getLogger(WebhooksServlet.class);
    private static final Set<String> DELIVERY_STATUSES = Set.of("pending", "delivered", "failed");

    /** The body of {@code POST /v1/webhooks}. */
    record CreateRequest(@Nullable String url, @Nullable List<String> events) {}

    private final Json json;
    private final Transactions transactions;
    private final OutboundUrls urls;

    @Inject
    WebhooksServlet(Json json, Transactions transactions, OutboundUrls urls) {
        this.json = json;
        this.transactions = transactions;
        this.urls = urls;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        List<String> path = PathSegments.of(request);
        String method = request.getMethod();
        if (path.isEmpty()) {
            switch (method) {
                case "GET", "HEAD" -> list(response);
                case "POST" -> create(request, response);
                default -> throw ProblemException.methodNotAllowed(method, "GET", "HEAD", "POST");
            }
        } else if (path.size() == 1) {
            switch (method) {
                case "GET", "HEAD" -> show(id(path.getFirst()), response);
                case "DELETE" -> delete(id(path.getFirst()), response);
                default -> throw ProblemException.methodNotAllowed(method, "GET", "HEAD", "DELETE");
            }
        } else if (path.size() == 2 && path.get(1).equals("deliveries")) {
            switch (method) {
                case "GET", "HEAD" -> deliveries(id(path.getFirst()), request, response);
                default -> throw ProblemException.methodNotAllowed(method, "GET", "HEAD");
            }
        } else {
            throw ProblemException.notFound();
        }
    }

    private void list(HttpServletResponse response) throws IOException {
        json.write(response, 200, Map.of("webhooks", transactions.execute(Subscriptions::list)));
    }

    private void create(HttpServletRequest request, HttpServletResponse response) throws IOException {
        CreateRequest body = json.read(request, CreateRequest.class);
        if (body.url() == null) {
            throw ProblemException.badRequest("field 'url' is required");
        }
        List<String> events = eventTypes(body.events());
        URI url = urls.forSubscription(body.url());
        String secret = Signatures.newSecret();
        CreatedSubscription created = transactions.execute(tx -> Subscriptions.create(tx, url.toString(), events, secret));
        log.info("webhooks: subscription {} created for {} ({})", created.id(), created.url(), String.join(", ", events));
        response.setHeader("Location", PATH + "/" + created.id());
        json.write(response, 201, created);
    }

    private static List<String> eventTypes(@Nullable List<String> events) {
        if (events == null) {
            throw ProblemException.badRequest("field 'events' is required");
        }
        if (events.isEmpty()) {
            throw ProblemException.badRequest("field 'events' must name at least one event type");
        }
        for (int i = 0; i < events.size(); i++) {
            String type = events.get(i);
            if (type == null) {
                throw ProblemException.badRequest("field 'events[%d]' must be a string".formatted(i));
            }
            if (!EventTypes.KNOWN.contains(type)) {
                throw new ProblemException(400, "unknown_event_type", "Unknown event type",
                        "unknown event type '%s'; known types: %s".formatted(type, String.join(", ", EventTypes.KNOWN)));
            }
        }
        return events.stream().distinct().toList();
    }

    private void show(UUID id, HttpServletResponse response) throws IOException {
        json.write(response, 200, transactions.execute(tx -> Subscriptions.find(tx, id)).orElseThrow(() -> notFound(id)));
    }

    private void delete(UUID id, HttpServletResponse response) {
        if (!transactions.execute(tx -> Subscriptions.delete(tx, id))) {
            throw notFound(id);
        }
        log.info("webhooks: subscription {} deleted with its deliveries", id);
        response.setStatus(204);
    }

    private void deliveries(UUID id, HttpServletRequest request, HttpServletResponse response) throws IOException {
        QueryParameters query = QueryParameters.of(request, "status", "limit");
        String status = query.single("status").orElse(null);
        if (status != null && !DELIVERY_STATUSES.contains(status)) {
            throw ProblemException.badRequest("query parameter 'status' must be pending, delivered or failed");
        }
        int limit = query.limit("limit", MAX_DELIVERIES, MAX_DELIVERIES);
        List<DeliveryView> deliveries = transactions.execute(tx -> {
            if (Subscriptions.find(tx, id).isEmpty()) {
                throw notFound(id);
            }
            return Subscriptions.deliveries(tx, id, status, limit);
        });
        json.write(response, 200, Map.of("deliveries", deliveries));
    }

    private static UUID id(String segment) {
        try {
            return UUID.fromString(segment);
        } catch (IllegalArgumentException e) {
            throw new ProblemException(404, "webhook_not_found", "Webhook not found",
                    "no webhook subscription with id '%s'".formatted(segment));
        }
    }

    private static ProblemException notFound(UUID id) {
        return new ProblemException(404, "webhook_not_found", "Webhook not found",
                "no webhook subscription with id '%s'".formatted(id));
    }
}
