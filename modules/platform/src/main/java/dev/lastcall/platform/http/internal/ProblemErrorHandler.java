package dev.lastcall.platform.http.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.platform.http.Problem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * Renders every error Jetty itself produces (unknown path, wrong method, malformed request, body
 * too large, rejection while draining) as {@code application/problem+json}, for every method and
 * whatever the client accepts. Never shows a stack trace or an exception message of a 5xx.
 */
final class ProblemErrorHandler extends ErrorHandler {

    static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    /** Jetty's messages sometimes carry an exception's; a client never sees Java. */
    private static final Pattern NAMES_JAVA = Pattern.compile(
            "\\b(java|javax|jakarta|org\\.eclipse|com\\.fasterxml|dev\\.lastcall)\\.[a-z]|Exception|\\tat ");

    private final ObjectMapper mapper;
    private final ConnectionClosing connectionClosing;

    ProblemErrorHandler(ObjectMapper mapper, ConnectionClosing connectionClosing) {
        this.mapper = mapper;
        this.connectionClosing = connectionClosing;
        setShowStacks(false);
        setShowCauses(false);
    }

    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int status, @Nullable String message,
            @Nullable Throwable cause, Callback callback) throws IOException {
        Problem problem = problemFor(status, message);
        if (status == HttpStatus.SERVICE_UNAVAILABLE_503) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(RETRY_AFTER.toSeconds()));
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        connectionClosing.apply(response);
        RequestContextHandler.echo(request, response);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
        byte[] body = mapper.writeValueAsBytes(problem);
        ServedRequest.of(request).ifPresent(served -> served.problemBytes(body.length));
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    static Problem problemFor(int status, @Nullable String message) {
        String title = HttpStatus.getMessage(status);
        String code = switch (status) {
            case 400 -> "invalid_request";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 408 -> "request_timeout";
            case 411 -> "length_required";
            case 413 -> "payload_too_large";
            case 414 -> "uri_too_long";
            case 415 -> "unsupported_media_type";
            case 417 -> "expectation_failed";
            case 426 -> "upgrade_required";
            case 431 -> "headers_too_large";
            case 500 -> "internal_error";
            case 501 -> "not_implemented";
            case 503 -> "service_unavailable";
            case 505 -> "http_version_not_supported";
            default -> "http_" + status;
        };
        String detail = switch (status) {
            case 404 -> "no resource at this path";
            case 405 -> "this method is not allowed here";
            case 408 -> "the request did not arrive in time";
            case 503 -> "the server is stopping; retry shortly";
            case 505 -> "this server speaks HTTP/1.0 and HTTP/1.1";
            default -> status >= 500 || message == null || message.isBlank() || NAMES_JAVA.matcher(message).find()
                    ? null : message;
        };
        return Problem.of(status, code, title, detail);
    }
}
