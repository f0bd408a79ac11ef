package dev.lastcall.app.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.app.ServiceProcess;
import dev.lastcall.platform.testing.ApiContract;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, item 5: several hundred hostile requests (HostileCases) over real sockets against the
 * real jar on a real PostgreSQL. For every answer: no 5xx but a 505 for a version it does not
 * speak, every 4xx a problem with its own code, what the published contract (openapi.json) declares
 * where the request line names an operation, no Java in any body; afterwards, no ERROR line and no
 * stack trace in the service's log, the books exactly as before, and the service healthy.
 */
class HostileInputIT {

    /** Enough to overlap the slow cases with the rest, few enough for a shared 2-core machine. */
    private static final int CONNECTIONS = 12;
    /** Short, so the slow cases end soon; not so short that a loaded machine dispatches a request after it. */
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(4);
    private static final Pattern JAVA = Pattern.compile(
            "\\b(java|javax|jakarta|org\\.eclipse|com\\.fasterxml|dev\\.lastcall|io\\.micrometer|org\\.postgresql)\\.[a-z]|Exception\\b|\\bat [a-z]+\\.");
    private static final Pattern ERROR_LINE = Pattern.compile("^\\s*\\d+\\s+ERROR\\s");
    private static final Pattern REQUEST_LINE = Pattern.compile("([A-Z]+) (\\S+) HTTP/1\\.[01]\r\n");
    private static final ApiContract CONTRACT = ApiContract.shipped();
    private static final Pattern STACK_FRAME = Pattern.compile("^\\s+at [\\w.$/]+\\(|^Caused by: ");

    @TempDir
    static Path state;

    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void everyHostileRequestIsRefusedCleanlyAndLeavesTheBooksAndTheServiceAsTheyWere() throws Exception {
        List<HostileCase> cases = HostileCases.all();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(500);
        assertThat(cases.stream().map(HostileCase::name).distinct().count()).as("every case has a name of its own").isEqualTo(cases.size());

        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(state.resolve("postgres"))
                        .setCleanDataDirectory(true).start()) {
            String jdbcUrl = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
            try (ServiceProcess service = ServiceProcess.builder().stateDir(state.resolve("service")).quiet()
                    .env("LASTCALL_DB_URL", jdbcUrl).env("LASTCALL_DB_USER", "postgres")
                    .env("LASTCALL_API_TOKENS", HostileCase.TOKEN)
                    .env("LASTCALL_HTTP_IDLE_TIMEOUT", IDLE_TIMEOUT.toSeconds() + "s")
                    .env("LASTCALL_HTTP_ACCESS_LOG", "false")
                    // admission control is not under test here: a loaded machine must not turn a case into 503 overloaded
                    .env("LASTCALL_HTTP_QUEUE_TIMEOUT", "30s")
                    .start().awaitReady()) {
                openTheBooks(service);
                Books before = Books.read(jdbcUrl);

                long start = System.nanoTime();
                List<String> failures = run(cases, service);
                System.out.printf("HostileInputIT: %d cases over %d connections at a time in %.1f s%n", cases.size(), CONNECTIONS,
                        (System.nanoTime() - start) / 1e9);

                assertThat(failures).as("%d of %d cases answered wrongly", failures.size(), cases.size()).isEmpty();
                assertThat(Books.read(jdbcUrl)).as("the books after every hostile request").isEqualTo(before);
                assertThat(logProblems(service.output())).as("ERROR lines and stack traces in the service's log").isEmpty();
                assertThat(send(service, "GET", "http://127.0.0.1:" + service.adminPort() + "/health/ready", null, null).statusCode())
                        .isEqualTo(200);
                assertThat(transfer(service, "after-the-storm").statusCode()).isEqualTo(201);
                assertThat(Books.read(jdbcUrl).transfers()).isEqualTo(before.transfers() + 1);
                assertThat(Books.unbalancedCurrencies(jdbcUrl)).isZero();
            }
        }
    }

    private List<String> run(List<HostileCase> cases, ServiceProcess service) throws Exception {
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        Map<String, String> answers = new ConcurrentSkipListMap<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS)) {
            List<Future<?>> running = new ArrayList<>();
            for (HostileCase hostile : cases) {
                running.add(pool.submit(() -> {
                    int port = hostile.port() == HostileCase.Port.API ? service.httpPort() : service.adminPort();
                    try {
                        Wire.Outcome outcome = Wire.exchange(port, hostile);
                        answers.put(hostile.name(), describe(outcome));
                        failures.addAll(check(hostile, outcome).stream().map(f -> hostile.name() + ": " + f).toList());
                    } catch (IOException | RuntimeException e) {
                        failures.add(hostile.name() + ": " + e);
                    }
                    return null;
                }));
            }
            for (Future<?> future : running) {
                future.get();
            }
        }
        // every case's answer, for a reader who wants to see what the service says to each
        Files.write(Path.of("target", "hostile-input-answers.txt"),
                answers.entrySet().stream().map(e -> e.getKey() + "\t" + e.getValue()).toList());
        return failures;
    }

    /** What is wrong with the answers to one case; empty when nothing is. */
    private List<String> check(HostileCase hostile, Wire.Outcome outcome) {
        List<String> wrong = new ArrayList<>();
        if (outcome.timedOut() && outcome.responses().isEmpty()) {
            wrong.add("the server neither answered nor closed the connection");
        }
        if (outcome.responses().size() > 1) {
            wrong.add("more than one answer to one request: " + describe(outcome));
        }
        if (!hostile.expected().isEmpty()) {
            int first = outcome.responses().isEmpty() ? -1 : outcome.responses().getFirst().status();
            if (!hostile.expected().contains(first)) {
                wrong.add("expected %s, got %s".formatted(hostile.expected(), describe(outcome)));
            }
        }
        for (Wire.Response response : outcome.responses()) {
            int status = response.status();
            if (status >= 500 && status != 505) {
                wrong.add("a server error: " + describe(outcome));
            }
            if (hostile.isWrite() && status >= 200 && status < 300) {
                wrong.add("a hostile write was accepted: " + describe(outcome));
            }
            if (JAVA.matcher(response.body()).find() || response.headers().values().stream().anyMatch(v -> JAVA.matcher(v).find())) {
                wrong.add("the answer names Java: " + describe(outcome));
            }
            if ("message/http".equals(response.header("content-type")) || response.body().contains("session=secret")) {
                wrong.add("the answer echoes the request: " + describe(outcome));
            }
            if (status >= 400) {
                wrong.addAll(checkProblem(hostile, response));
            }
            if (status == 405 && response.header("allow") == null) {
                wrong.add("a 405 without Allow");
            }
            contractExchange(hostile, response).ifPresent(exchange -> wrong.addAll(CONTRACT.violations(exchange)));
        }
        return wrong;
    }

    /**
     * The answer as the published contract must describe it, for a request to /v1 on the API port
     * whose request line names a method and a target; empty for what no router could place.
     */
    private static Optional<ApiContract.Exchange> contractExchange(HostileCase hostile, Wire.Response response) {
        String head = new String(hostile.parts().getFirst(), StandardCharsets.ISO_8859_1);
        Matcher line = REQUEST_LINE.matcher(head);
        if (hostile.port() != HostileCase.Port.API || !line.lookingAt()) {
            return Optional.empty();
        }
        String path;
        try {
            path = URI.create(line.group(2)).getRawPath();
        } catch (IllegalArgumentException unparsable) {
            return Optional.empty();
        }
        if (path == null || !path.startsWith("/v1/")) {
            return Optional.empty();
        }
        Map<String, List<String>> headers = new HashMap<>();
        response.headers().forEach((name, value) -> headers.put(name, List.of(value)));
        return Optional.of(new ApiContract.Exchange(line.group(1), line.group(2), response.status(), headers, response.body()));
    }

    private List<String> checkProblem(HostileCase hostile, Wire.Response response) {
        if (!"application/problem+json".equals(response.header("content-type"))) {
            return List.of("a %d that is not a problem: %s %s".formatted(response.status(), response.header("content-type"), response.body()));
        }
        try {
            JsonNode problem = mapper.readTree(response.body());
            String code = problem.path("code").asText("");
            List<String> wrong = new ArrayList<>();
            if (code.isEmpty() || code.equals("internal_error") || code.matches("http_[0-9]+")) {
                wrong.add("a %d without a code of its own: %s".formatted(response.status(), response.body()));
            }
            if (problem.path("status").asInt() != response.status()) {
                wrong.add("the problem's status is not the answer's: " + response.body());
            }
            if (hostile.code() != null && response.status() == hostile.expected().iterator().next() && !hostile.code().equals(code)) {
                wrong.add("expected code %s, got %s".formatted(hostile.code(), response.body()));
            }
            return wrong;
        } catch (IOException e) {
            return List.of("a problem body that is not JSON: " + response.body());
        }
    }

    private static String describe(Wire.Outcome outcome) {
        return outcome.responses().stream()
                .map(r -> r.status() + " " + HostileCases.abbreviate(r.body().replace('\n', ' ')))
                .toList() + (outcome.timedOut() ? " (then silence)" : "");
    }

    private static List<String> logProblems(String output) {
        return output.lines().filter(line -> ERROR_LINE.matcher(line).find() || STACK_FRAME.matcher(line).find()
                || (line.contains("WARN") && JAVA.matcher(line).find() && line.contains("Exception"))).limit(40).toList();
    }

    private void openTheBooks(ServiceProcess service) throws Exception {
        String accounts = "http://127.0.0.1:" + service.httpPort() + HostileCases.ACCOUNTS;
        assertThat(send(service, "POST", accounts, "{\"code\":\"world\",\"currency\":\"EUR\",\"allowNegative\":true}", null)
                .statusCode()).isEqualTo(201);
        assertThat(send(service, "POST", accounts, "{\"code\":\"alice\",\"currency\":\"EUR\"}", null).statusCode()).isEqualTo(201);
        assertThat(transfer(service, "opening-balance").statusCode()).isEqualTo(201);
    }

    private HttpResponse<String> transfer(ServiceProcess service, String key) throws Exception {
        return send(service, "POST", "http://127.0.0.1:" + service.httpPort() + HostileCases.TRANSFERS,
                "{\"from\":\"world\",\"to\":\"alice\",\"amount\":1000,\"currency\":\"EUR\"}", key);
    }

    private HttpResponse<String> send(ServiceProcess service, String method, String uri, String json, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri))
                .header("Authorization", "Bearer " + HostileCase.TOKEN)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
