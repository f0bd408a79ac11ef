package dev.lastcall.webhooks;

import dev.lastcall.platform.database.Transactions;
import dev.lastcall.platform.http.Json;
import dev.lastcall.platform.http.ProblemException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    private static final Set<String> DELIVERY_PARAMETERS = Set.of("status", "limit");

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
        List<String> path = segments(request.getPathInfo());
        String method = request.getMethod();
        if (path.isEmpty()) {
            switch (method) {
                case "GET" -> json.write(response, 200, Map.of("webhooks", transactions.execute(Subscriptions::list)));
                case "POST" -> create(request, response);
                default -> throw methodNotAllowed("GET, POST");
            }
        } else if (path.size() == 1) {
            UUID id = id(path.getFirst());
            switch (method) {
                case "GET" -> json.write(response, 200,
                        transactions.execute(tx -> Subscriptions.find(tx, id)).orElseThrow(() -> notFound(id)));
                case "DELETE" -> delete(id, response);
                default -> throw methodNotAllowed("GET, DELETE");
            }
        } else if (path.size() == 2 && path.get(1).equals("deliveries")) {
            UUID id = id(path.getFirst());
            if (!method.equals("GET")) {
                throw methodNotAllowed("GET");
            }
            deliveries(id, request, response);
        } else {
            throw new ProblemException(404, "not_found", "Not Found", "no resource at this path");
        }
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

    private void delete(UUID id, HttpServletResponse response) {
        if (!transactions.execute(tx -> Subscriptions.delete(tx, id))) {
            throw notFound(id);
        }
        log.info("webhooks: subscription {} deleted with its deliveries", id);
        response.setStatus(204);
    }

    private void deliveries(UUID id, HttpServletRequest request, HttpServletResponse response) throws IOException {
        for (String parameter : request.getParameterMap().keySet()) {
            if (!DELIVERY_PARAMETERS.contains(parameter)) {
                throw ProblemException.badRequest("unknown query parameter '%s'; known: status, limit".formatted(parameter));
            }
        }
        String status = single(request, "status").orElse(null);
        if (status != null && !DELIVERY_STATUSES.contains(status)) {
            throw ProblemException.badRequest("query parameter 'status' must be pending, delivered or failed");
        }
        int limit = single(request, "limit").map(WebhooksServlet::limit).orElse(MAX_DELIVERIES);
        List<DeliveryView> deliveries = transactions.execute(tx -> {
            if (Subscriptions.find(tx, id).isEmpty()) {
                throw notFound(id);
            }
            return Subscriptions.deliveries(tx, id, status, limit);
        });
        json.write(response, 200, Map.of("deliveries", deliveries));
    }

    private static Optional<String> single(HttpServletRequest request, String parameter) {
        String[] values = request.getParameterValues(parameter);
        if (values == null) {
            return Optional.empty();
        }
        if (values.length > 1) {
            throw ProblemException.badRequest("query parameter '%s' is given more than once".formatted(parameter));
        }
        return Optional.of(values[0]);
    }

    private static int limit(String value) {
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_DELIVERIES) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below, like any other out-of-range value
        }
        throw ProblemException.badRequest("query parameter 'limit' must be an integer from 1 to " + MAX_DELIVERIES);
    }

    private static List<String> segments(@Nullable String pathInfo) {
        if (pathInfo == null || pathInfo.equals("/")) {
            return List.of();
        }
        return Arrays.asList(pathInfo.substring(1).split("/", -1));
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

    private static ProblemException methodNotAllowed(String allowed) {
        return new ProblemException(405, "method_not_allowed", "Method Not Allowed", "allowed here: " + allowed);
    }
}
