package dev.lastcall.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.platform.testing.ApiContract.Exchange;
import dev.lastcall.platform.testing.ContractExchanges;
import dev.lastcall.platform.testing.RawHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A client of the ledger's HTTP API over real sockets (java.net.http, HTTP/1.1 keep-alive). Every
 * answer is checked against the contract ({@link ContractExchanges}) before the test sees it.
 */
final class Api {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicLong KEYS = new AtomicLong();

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT).build();
    private final Function<String, URI> uris;
    private final List<String> defaultHeaders;

    Api(Function<String, URI> uris, String... defaultHeaders) {
        this.uris = uris;
        this.defaultHeaders = List.of(defaultHeaders);
    }

    /** A status, the headers and the body of one response. */
    record Reply(int status, Map<String, List<String>> headers, String body) {

        Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst();
        }

        JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        /** The problem's {@code code}, after checking that this is a problem+json with the given status. */
        String problem(int expectedStatus) {
            assertThat(status).as("status of %s", body).isEqualTo(expectedStatus);
            assertThat(header("Content-Type")).as("content type of %s", body).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            JsonNode json = json();
            assertThat(json.path("status").asInt()).isEqualTo(expectedStatus);
            assertThat(json.path("type").asText()).isNotEmpty();
            assertThat(json.path("title").asText()).isNotEmpty();
            return json.path("code").asText();
        }

        String detail() {
            return json().path("detail").asText();
        }
    }

    /** One request written byte by byte over a connection of its own, see {@link RawHttp#exchange}. */
    static Reply raw(int port, String head, byte[] body) {
        try {
            RawHttp.Response response = RawHttp.exchange(port, head, body);
            Map<String, List<String>> headers = new LinkedHashMap<>();
            response.headers().forEach((name, value) -> headers.put(name, List.of(value)));
            String[] requestLine = head.lines().findFirst().orElse("").split(" ");
            if (requestLine.length == 3) {
                ContractExchanges.check(new Exchange(requestLine[0], requestLine[1], response.status(), headers, response.body()));
            }
            return new Reply(response.status(), headers, response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String newKey() {
        return "key-" + System.nanoTime() + "-" + KEYS.incrementAndGet();
    }

    Reply get(String path, String... headers) {
        return send(request(path, headers).GET().build());
    }

    Reply post(String path, String json, String... headers) {
        return send(request(path, headers).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    Reply method(String method, String path, String... headers) {
        return send(request(path, headers).method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    Reply send(HttpRequest request) {
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            ContractExchanges.check(new Exchange(request.method(), request.uri().getRawPath()
                    + (request.uri().getRawQuery() == null ? "" : "?" + request.uri().getRawQuery()),
                    response.statusCode(), response.headers().map(), response.body()));
            return new Reply(response.statusCode(), response.headers().map(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uris.apply(path)).timeout(TIMEOUT);
        if (!defaultHeaders.isEmpty()) {
            builder.headers(defaultHeaders.toArray(String[]::new));
        }
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return builder;
    }

    Reply openAccount(String code, String currency, boolean allowNegative) {
        Reply reply = post("/v1/accounts", """
                {"code":"%s","currency":"%s","allowNegative":%s}""".formatted(code, currency, allowNegative));
        assertThat(reply.status()).as("open %s: %s", code, reply.body()).isEqualTo(201);
        return reply;
    }

    Reply transfer(String key, String from, String to, long amount, String currency) {
        return post("/v1/transfers", """
                {"from":"%s","to":"%s","amount":%d,"currency":"%s"}""".formatted(from, to, amount, currency),
                "Idempotency-Key", key);
    }

    Reply transfer(String from, String to, long amount, String currency) {
        return transfer(newKey(), from, to, amount, currency);
    }

    long balance(String code) {
        Reply reply = get("/v1/accounts/" + code);
        assertThat(reply.status()).as("balance of %s: %s", code, reply.body()).isEqualTo(200);
        return reply.json().path("balance").asLong();
    }
}
