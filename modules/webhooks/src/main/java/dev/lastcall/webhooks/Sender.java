package dev.lastcall.webhooks;

import dev.lastcall.platform.context.TraceParent;
import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.Seconds;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.Duration;
import java.util.Optional;

/**
 * Makes one delivery attempt: checks the URL's addresses again, then POSTs the stored body with the
 * Standard Webhooks headers, and with a {@code traceparent} naming the attempt's span when the event
 * came from a request with a trace. Redirects are not followed (a 3xx is a failed attempt); an attempt
 * that gets no response headers within {@code webhooks.requestTimeout} fails.
 */
@Singleton
final class Sender {

    static final String USER_AGENT = "lastcall-webhooks";

    private final OutboundUrls urls;
    private final Duration requestTimeout;

    @Inject
    Sender(OutboundUrls urls, WebhookSettings settings) {
        this.urls = urls;
        this.requestTimeout = settings.requestTimeout();
    }

    /**
     * A client for one run of attempts, closed when the run ends: an idle client keeps a selector
     * thread in native code, and the JVM's exit waits up to 300 ms for such threads.
     */
    HttpClient newClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(requestTimeout)
                .build();
    }

    /**
     * Attempts the delivery with {@code client} unless {@code startBy} has passed (the lease would
     * end before the attempt could time out).
     *
     * @param span the attempt's span, a child of the publishing request's; empty: no trace header
     */
    Outcome attempt(HttpClient client, ClaimedDelivery delivery, Optional<TraceParent> span, Deadline startBy)
            throws InterruptedException {
        URI url = URI.create(delivery.url());
        try {
            // The client resolves the host again a moment later; the JVM's address cache (30 s
            // by default) answers that lookup with what was just checked.
            Optional<String> refusal = urls.refusal(url);
            if (refusal.isPresent()) {
                return new Outcome.Failed(null, "not sent: " + refusal.get());
            }
        } catch (UnknownHostException e) {
            return new Outcome.Failed(null, "not sent: the host '%s' does not resolve".formatted(url.getHost()));
        }
        if (startBy.hasExpired()) {
            return new Outcome.NotSent("its lease would end before the attempt could time out");
        }
        long timestamp = Instant.now().getEpochSecond();
        String id = delivery.eventId().toString();
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", USER_AGENT)
                .header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", Signatures.sign(delivery.secret(), id, timestamp, delivery.body()))
                .POST(HttpRequest.BodyPublishers.ofString(delivery.body(), StandardCharsets.UTF_8));
        span.ifPresent(trace -> request.header(TraceParent.HEADER, trace.header()));
        try {
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            // The answer is the status; the body is not read, so a receiver cannot hold the attempt by streaming one.
            response.body().close();
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return new Outcome.Delivered(status);
            }
            if (status == 410) {
                return new Outcome.Gone();
            }
            return new Outcome.Failed(status, status >= 300 && status < 400
                    ? "HTTP %d (redirects are not followed)".formatted(status)
                    : "HTTP " + status);
        } catch (HttpConnectTimeoutException e) {
            return new Outcome.Failed(null, "no connection within " + Seconds.of(requestTimeout));
        } catch (HttpTimeoutException e) {
            return new Outcome.Failed(null, "no response within " + Seconds.of(requestTimeout));
        } catch (ConnectException e) {
            return new Outcome.Failed(null, "connection failed: " + reason(e, "no connection to " + url.getAuthority()));
        } catch (IOException e) {
            return new Outcome.Failed(null, "request failed: " + reason(e, e.getClass().getSimpleName()));
        }
    }

    /** The JDK client often wraps the telling message (e.g. "Connection refused") in a cause. */
    private static String reason(Throwable e, String otherwise) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                return cause.getMessage();
            }
        }
        return otherwise;
    }
}
