package dev.lastcall.platform.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OpenAPI 3.1 contract of {@code /v1} ({@code config/openapi.json}, inside the platform jar as
 * {@code openapi.json}) and the check of one real exchange against it. An exchange keeps the
 * contract when its operation exists, its status is declared, its body is valid against the
 * declared schema (JSON Schema 2020-12 with formats asserted, by networknt's validator), a
 * problem's {@code code} is one the operation declares for that status, every required header is
 * there and valid, and no header the contract knows (Location, Retry-After, …) appears where it is
 * not declared. Outside the contract only two answers keep it: 404 {@code not_found} for a path it
 * does not have, 405 {@code method_not_allowed} for a method it does not declare on a path it has
 * (or 401 {@code unauthorized} for either, as access is checked first).
 */
public final class ApiContract {

    /** The contract's own resource name, and the identifier its schemas are known by. */
    public static final String RESOURCE = "openapi.json";
    private static final String IRI = "https://lastcall.invalid/openapi.json";
    private static final String PROBLEM = "application/problem+json";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The answers that come before routing, each with its problem code; every operation declares them too. */
    private static final Map<Integer, String> BEFORE_ANY_ROUTE = Map.of(400, "invalid_request", 413, "payload_too_large",
            414, "uri_too_long", 417, "expectation_failed", 431, "headers_too_large", 505, "http_version_not_supported");
    private static final ApiContract SHIPPED = fromResource(RESOURCE);

    /** One request as sent and its response as received. */
    public record Exchange(String method, String target, int status, Map<String, List<String>> headers, String body) {

        public Exchange {
            method = method.toUpperCase(Locale.ROOT);
        }

        Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst();
        }

        /** The path as the server routes it: dot segments resolved, path parameters ({@code ;x}) dropped. */
        String path() {
            return URI.create(target).normalize().getRawPath().replaceAll(";[^/]*", "");
        }

        @Override
        public String toString() {
            return "%s %s -> %d %s".formatted(method, target, status, body.length() > 300 ? body.substring(0, 300) + "…" : body);
        }
    }

    /** An operation of the contract, e.g. {@code GET /v1/accounts/{code}}. */
    public record Operation(String method, String path) {

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private final JsonNode document;
    private final SchemaRegistry schemas;
    private final Set<String> knownHeaders;
    private final Map<String, Schema> loaded = new ConcurrentHashMap<>();

    private ApiContract(String text) {
        try {
            this.document = MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("the contract is no JSON", e);
        }
        this.schemas = SchemaRegistry.withDialect(Dialects.getOpenApi31(), builder -> builder
                .schemas(Map.of(IRI, text))
                .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
        this.knownHeaders = knownHeaders(document);
    }

    /** The contract as shipped. */
    public static ApiContract shipped() {
        return SHIPPED;
    }

    /** A contract from a class path resource (the shipped one, or a changed copy in a test). */
    public static ApiContract fromResource(String resource) {
        try (InputStream in = ApiContract.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path");
            }
            return fromText(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ApiContract fromText(String text) {
        return new ApiContract(text);
    }

    public JsonNode document() {
        return document;
    }

    /** Every operation, in the contract's order. */
    public Set<Operation> operations() {
        Set<Operation> operations = new LinkedHashSet<>();
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(item -> {
            if (isMethod(item.getKey())) {
                operations.add(new Operation(item.getKey().toUpperCase(Locale.ROOT), path.getKey()));
            }
        }));
        return operations;
    }

    /** The operation an exchange's method and path name, if the contract has it. */
    public Optional<Operation> operation(Exchange exchange) {
        return pathTemplate(exchange.path())
                .filter(template -> document.path("paths").path(template).has(methodKey(exchange)))
                .map(template -> new Operation(methodKey(exchange).toUpperCase(Locale.ROOT), template));
    }

    /** What in the exchange breaks the contract; empty when it keeps it. */
    public List<String> violations(Exchange exchange) {
        Optional<String> template = pathTemplate(exchange.path());
        if (template.isEmpty()) {
            return outsideTheContract(exchange, 404, "not_found", "a path the contract does not have");
        }
        JsonNode operation = document.path("paths").path(template.get()).path(methodKey(exchange));
        if (operation.isMissingNode()) {
            List<String> violations = new ArrayList<>(outsideTheContract(exchange, 405, "method_not_allowed",
                    "a method the contract does not declare on " + template.get()));
            if (exchange.status() == 405) {
                allow(template.get(), exchange, violations);
            }
            return violations;
        }
        String name = methodKey(exchange).toUpperCase(Locale.ROOT) + " " + template.get();
        String status = Integer.toString(exchange.status());
        JsonNode declared = operation.path("responses").path(status);
        if (declared.isMissingNode()) {
            return List.of("%s: status %s is not declared (declared: %s)".formatted(
                    name, status, names(operation.path("responses"))));
        }
        String pointer = "/paths/" + escape(template.get()) + "/" + methodKey(exchange) + "/responses/" + status;
        if (declared.has("$ref")) {
            pointer = declared.path("$ref").asText().substring(1);
            declared = resolve(declared);
        }
        List<String> violations = new ArrayList<>();
        headers(name + " " + status, declared.path("headers"), pointer + "/headers/", exchange, violations);
        body(name + " " + status, declared, pointer, exchange, violations);
        return violations;
    }

    /**
     * Access is checked before routing: without a valid token, even a path the contract lacks is a
     * 401. What the parser and the size limit refuse before any route (a malformed request, a path
     * no URL could be routed by, too large a head or body, an unknown Expect or HTTP version)
     * may answer any request. A HEAD answer has no body to name its code.
     */
    private List<String> outsideTheContract(Exchange exchange, int status, String code, String what) {
        Optional<String> actual = problemCode(exchange);
        boolean head = exchange.method().equals("HEAD") && actual.isEmpty();
        if (answers(exchange, status, code) || answers(exchange, 401, "unauthorized")
                || BEFORE_ANY_ROUTE.entrySet().stream().anyMatch(refusal -> answers(exchange, refusal.getKey(), refusal.getValue()))) {
            return List.of();
        }
        if (head && exchange.status() == status) {
            return List.of();
        }
        return List.of("%s %s is %s, so the answer must be a %d %s problem (or 401 unauthorized), not %d %s".formatted(
                exchange.method(), exchange.path(), what, status, code, exchange.status(), actual.orElse(exchange.body())));
    }

    private static boolean answers(Exchange exchange, int status, String code) {
        return exchange.status() == status && problemCode(exchange).equals(Optional.of(code));
    }

    /** A 405 must say in {@code Allow} which methods the path has: the contract's, and HEAD with GET. */
    private void allow(String template, Exchange exchange, List<String> violations) {
        Set<String> declared = new TreeSet<>();
        names(document.path("paths").path(template)).stream().filter(ApiContract::isMethod)
                .forEach(method -> declared.add(method.toUpperCase(Locale.ROOT)));
        Set<String> allowed = new TreeSet<>();
        exchange.header("Allow").ifPresent(value -> {
            for (String method : value.split(",")) {
                allowed.add(method.strip().toUpperCase(Locale.ROOT));
            }
        });
        if (declared.contains("GET")) {
            allowed.remove("HEAD");
        }
        if (!allowed.equals(declared)) {
            violations.add("%s %s: 405 with Allow: %s, but the contract declares %s".formatted(exchange.method(),
                    template, exchange.header("Allow").orElse("(none)"), declared));
        }
    }

    private void headers(String name, JsonNode declared, String pointer, Exchange exchange, List<String> violations) {
        Set<String> declaredNames = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        declared.properties().forEach(entry -> {
            declaredNames.add(entry.getKey());
            JsonNode header = resolve(entry.getValue());
            Optional<String> value = exchange.header(entry.getKey());
            if (value.isEmpty()) {
                if (header.path("required").asBoolean(false)) {
                    violations.add("%s: required header %s is missing".formatted(name, entry.getKey()));
                }
                return;
            }
            JsonNode schema = header.path("schema");
            String json = schema.path("type").asText().equals("integer") && value.get().matches("-?[0-9]{1,18}")
                    ? value.get() : MAPPER.valueToTree(value.get()).toString();
            String schemaPointer = entry.getValue().has("$ref")
                    ? entry.getValue().path("$ref").asText().substring(1) + "/schema"
                    : pointer + escape(entry.getKey()) + "/schema";
            for (Error error : schema(schemaPointer).validate(json, InputFormat.JSON)) {
                violations.add("%s: header %s: %s is not valid: %s".formatted(name, entry.getKey(), value.get(), error.getMessage()));
            }
        });
        for (String known : knownHeaders) {
            if (exchange.header(known).isPresent() && !declaredNames.contains(known)) {
                violations.add("%s: header %s is not declared for this answer".formatted(name, known));
            }
        }
    }

    private void body(String name, JsonNode declared, String pointer, Exchange exchange, List<String> violations) {
        JsonNode content = declared.path("content");
        if (exchange.method().equals("HEAD")) {
            return;
        }
        if (content.isMissingNode() || content.isEmpty()) {
            if (!exchange.body().isEmpty()) {
                violations.add("%s: no body is declared, got %s".formatted(name, exchange.body()));
            }
            return;
        }
        Optional<String> mediaType = exchange.header("Content-Type").map(t -> t.split(";")[0].strip().toLowerCase(Locale.ROOT));
        if (mediaType.isEmpty() || !content.has(mediaType.get())) {
            violations.add("%s: content type %s is not declared (declared: %s)".formatted(name, mediaType.orElse("none"), names(content)));
            return;
        }
        JsonNode schema = content.path(mediaType.get()).path("schema");
        if (mediaType.get().equals(PROBLEM)) {
            Set<String> codes = new TreeSet<>();
            schema.path("properties").path("code").path("enum").forEach(code -> codes.add(code.asText()));
            Optional<String> code = problemCode(exchange);
            if (code.isPresent() && !codes.contains(code.get())) {
                violations.add("%s: problem code %s is not among those declared %s".formatted(name, code.get(), codes));
            }
        }
        String schemaPointer = pointer + "/content/" + escape(mediaType.get()) + "/schema";
        for (Error error : schema(schemaPointer).validate(exchange.body(), InputFormat.JSON)) {
            violations.add("%s: body %s: %s".formatted(name, error.getInstanceLocation(), error.getMessage()));
        }
    }

    private Schema schema(String pointer) {
        return loaded.computeIfAbsent(pointer, p -> schemas.getSchema(SchemaLocation.of(IRI + "#" + encode(p))));
    }

    /** The template of the contract's path that {@code path} names: literal segments equal, {@code {x}} any one segment. */
    Optional<String> pathTemplate(String path) {
        String[] segments = path.split("/", -1);
        Optional<String> best = Optional.empty();
        int bestLiterals = -1;
        for (String template : names(document.path("paths"))) {
            String[] parts = template.split("/", -1);
            if (parts.length != segments.length) {
                continue;
            }
            int literals = 0;
            boolean matches = true;
            for (int i = 0; i < parts.length && matches; i++) {
                boolean parameter = parts[i].startsWith("{") && parts[i].endsWith("}");
                matches = parameter ? !segments[i].isEmpty() : parts[i].equals(segments[i]);
                literals += parameter ? 0 : 1;
            }
            if (matches && literals > bestLiterals) {
                best = Optional.of(template);
                bestLiterals = literals;
            }
        }
        return best;
    }

    private static String methodKey(Exchange exchange) {
        return exchange.method().equals("HEAD") ? "get" : exchange.method().toLowerCase(Locale.ROOT);
    }

    private static Optional<String> problemCode(Exchange exchange) {
        boolean problem = exchange.header("Content-Type").filter(type -> type.startsWith(PROBLEM)).isPresent();
        if (!problem) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(MAPPER.readTree(exchange.body()).path("code").textValue());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private JsonNode resolve(JsonNode node) {
        if (!node.has("$ref")) {
            return node;
        }
        return document.at(node.path("$ref").asText().substring(1));
    }

    private static Set<String> knownHeaders(JsonNode document) {
        Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        document.path("components").path("headers").properties().forEach(entry -> names.add(entry.getKey()));
        return names;
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.properties().forEach(entry -> names.add(entry.getKey()));
        return names;
    }

    private static boolean isMethod(String key) {
        return Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace").contains(key);
    }

    /** A JSON pointer token. */
    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    /** A JSON pointer inside a URI fragment: the characters a fragment may not hold, percent-encoded. */
    private static String encode(String pointer) {
        return pointer.replace("%", "%25").replace("{", "%7B").replace("}", "%7D").replace("+", "%2B");
    }

    @Override
    public String toString() {
        return "the contract, " + operations().size() + " operations";
    }
}
