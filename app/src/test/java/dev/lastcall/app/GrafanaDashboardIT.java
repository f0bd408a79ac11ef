package dev.lastcall.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.platform.testing.Scrape;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every metric the shipped Grafana dashboard queries is one the real jar exports. */
class GrafanaDashboardIT {

    private static final Path DASHBOARD = Path.of("..", "config", "grafana", "lastcall.json");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan");

    @Test
    void everyMetricTheDashboardQueriesIsExportedByARunningService() throws Exception {
        Set<String> queried = queriedMetrics(new ObjectMapper().readTree(DASHBOARD.toFile()));
        assertThat(queried).contains("http_server_request_duration_seconds_bucket", "hikaricp_connections_active",
                "lastcall_outbox_pending", "lastcall_http_drain_requests_total", "jvm_memory_used_bytes");

        try (ServiceProcess service = ServiceProcess.builder().start().awaitReady();
                HttpClient client = HttpClient.newHttpClient()) {
            // one request, so the request histogram has a series
            HttpResponse<String> missing = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + service.httpPort() + "/v1/accounts/nobody")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(missing.statusCode()).isEqualTo(404);

            URI metrics = URI.create("http://127.0.0.1:" + service.adminPort() + "/metrics");
            // the answer is on the wire a moment before the server records the request
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Scrape.of(metrics).names().contains("http_server_request_duration_seconds_count"));
            Scrape scrape = Scrape.of(metrics);

            assertThat(scrape.names()).containsAll(queried);
        }
    }

    /** The metric names in every query of the dashboard: its panels' PromQL and its variables. */
    static Set<String> queriedMetrics(JsonNode dashboard) {
        Set<String> names = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                names.addAll(metricNames(target.path("expr").asText()));
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            Matcher labelValues = LABEL_VALUES.matcher(variable.path("query").asText());
            while (labelValues.find()) {
                names.add(labelValues.group(1));
            }
        }
        return names;
    }

    /** The identifiers of a PromQL expression that are neither functions, keywords, labels, numbers, durations nor variables. */
    static List<String> metricNames(String promQl) {
        String expression = promQl
                .replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("\\{[^}]*}", "")
                .replaceAll("\\[[^]]*]", "")
                .replaceAll("\\$\\{?\\w+}?", "")
                .replaceAll("(?<![\\w:])[0-9][\\w.]*", "")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "");
        List<String> names = new ArrayList<>();
        Matcher identifier = IDENTIFIER.matcher(expression);
        while (identifier.find()) {
            String name = identifier.group();
            boolean function = expression.substring(identifier.end()).stripLeading().startsWith("(");
            if (!function && !KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                names.add(name);
            }
        }
        return names;
    }

    @Test
    void metricNamesLeaveOutFunctionsLabelsRangesAndVariables() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (le, http_route) "
                + "(rate(http_server_request_duration_seconds_bucket{instance=~\"$instance\",a=\"b\"}[$__rate_interval])))"))
                .containsExactly("http_server_request_duration_seconds_bucket");
        assertThat(metricNames("sum(a_total) / ignoring(x) b_total offset 5m and on(y) c"))
                .containsExactly("a_total", "b_total", "c");
    }
}
