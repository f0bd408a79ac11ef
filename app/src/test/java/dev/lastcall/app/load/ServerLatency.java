package dev.lastcall.app.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service's own view of request latency: the buckets of {@code
 * http_server_request_duration_seconds} for one response status, from its {@code /metrics}, so a
 * benchmark can tell the time a request spent in the service from the time its client waited (on a
 * busy machine, the clients' own scheduling adds to the latter).
 */
record ServerLatency(Map<Double, Double> cumulativeByBound) {

    private static final Pattern BUCKET = Pattern.compile(
            "^http_server_request_duration_seconds_bucket\\{(.*)} ([0-9.eE+-]+)$");
    private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

    static ServerLatency scrape(int adminPort, int status) throws Exception {
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        Map<Double, Double> buckets = new TreeMap<>();
        for (String line : metrics.body().split("\n")) {
            Matcher bucket = BUCKET.matcher(line);
            if (bucket.matches() && bucket.group(1).contains("http_response_status_code=\"" + status + "\"")) {
                Matcher le = LE.matcher(bucket.group(1));
                if (le.find()) {
                    double bound = le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
                    buckets.merge(bound, Double.parseDouble(bucket.group(2)), Double::sum);
                }
            }
        }
        return new ServerLatency(buckets);
    }

    /** What was counted since {@code earlier}. */
    ServerLatency since(ServerLatency earlier) {
        Map<Double, Double> difference = new TreeMap<>(cumulativeByBound);
        earlier.cumulativeByBound.forEach((bound, count) -> difference.merge(bound, -count, Double::sum));
        return new ServerLatency(difference);
    }

    /** The bucket bound under which the fraction {@code q} of the requests completed, e.g. "≤ 0.5 s". */
    String quantile(double q) {
        double total = cumulativeByBound.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
        if (total == 0) {
            return "-";
        }
        for (Map.Entry<Double, Double> bucket : cumulativeByBound.entrySet()) {
            if (bucket.getValue() >= q * total) {
                return bucket.getKey().isInfinite() ? "> 10 s" : "<= %s s".formatted(bucket.getKey());
            }
        }
        return "-";
    }
}
