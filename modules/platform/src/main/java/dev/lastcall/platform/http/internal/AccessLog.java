package dev.lastcall.platform.http.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request on the logger {@value #LOGGER}, written by Jetty once the response is
 * complete, so it includes responses Jetty writes itself (400, 404, 413, the drain's 503): method, route
 * (or the path when no route matched), status, body bytes written, duration and client address,
 * with the request's ID and trace in the MDC. Never a header value or a body, so no secret. Each
 * value is also a key-value pair, a field of its own in JSON logs.
 */
final class AccessLog implements RequestLog {

    static final String LOGGER = "lastcall.access";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);
    private static final String FORWARDED_FOR = "X-Forwarded-For";

    private final TrustedProxies trustedProxies;

    AccessLog(TrustedProxies trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    @Override
    public void log(Request request, Response response) {
        if (!log.isInfoEnabled() || InMemory.sent(request)) {
            return;
        }
        Optional<ServedRequest> served = ServedRequest.of(request);
        Optional<String> route = served.flatMap(ServedRequest::route);
        String target = route.orElse(request.getHttpURI().getPath());
        int status = response.getStatus();
        // Jetty counts nothing for the 400 it writes to a request it could not parse
        long bytes = Math.max(Response.getContentBytesWritten(response), served.map(ServedRequest::problemBytes).orElse(0L));
        String duration = millisToOneDecimal(System.nanoTime() - request.getBeginNanoTime());
        String client = client(request);
        Runnable line = () -> log.atInfo()
                .setMessage("{} {} {} {} bytes {} ms from {}")
                .addArgument(request.getMethod())
                .addArgument(target)
                .addArgument(status)
                .addArgument(bytes)
                .addArgument(duration)
                .addArgument(client)
                .addKeyValue("method", request.getMethod())
                .addKeyValue(route.isPresent() ? "route" : "path", target)
                .addKeyValue("status", status)
                .addKeyValue("bytes", bytes)
                .addKeyValue("durationMs", duration)
                .addKeyValue("client", client)
                .log();
        served.map(ServedRequest::context).ifPresentOrElse(context -> context.log(line), line);
    }

    /** {@code 12.3} for 12,345,678 ns: what {@code String.format("%.1f")} gives, at a tenth of its cost per request. */
    static String millisToOneDecimal(long nanos) {
        long tenths = (Math.max(0, nanos) + 50_000) / 100_000;
        return tenths / 10 + "." + tenths % 10;
    }

    private String client(Request request) {
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        if (!(remote instanceof InetSocketAddress peer) || peer.getAddress() == null) {
            return String.valueOf(remote);
        }
        InetAddress client = trustedProxies.client(peer.getAddress(),
                request.getHeaders().getValuesList(FORWARDED_FOR));
        return client.getHostAddress();
    }
}
