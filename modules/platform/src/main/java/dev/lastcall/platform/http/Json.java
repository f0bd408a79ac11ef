package dev.lastcall.platform.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/** Reads request bodies strictly and writes JSON and problem responses. */
public final class Json {

    private final ObjectMapper mapper;
    private final long maxRequestBody;

    /** @param maxRequestBody {@code http.maxRequestBody}: a larger body is a 413 */
    public Json(ObjectMapper mapper, long maxRequestBody) {
        this.mapper = mapper;
        this.maxRequestBody = maxRequestBody;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /**
     * Binds the request body to {@code type}.
     *
     * @throws ProblemException 415 for a body that is not JSON or is content-encoded, 413 for one over the limit, 400
     *     naming the field for anything malformed, unknown or of the wrong type
     */
    public <T> T read(HttpServletRequest request, Class<T> type) {
        // Not request.getContentType(): Jetty throws on a charset the JVM does not know.
        JsonMediaType.refusal(Collections.list(request.getHeaders("Content-Type"))).ifPresent(detail -> {
            throw new ProblemException(415, "unsupported_media_type", "Unsupported Media Type", detail);
        });
        String encoding = request.getHeader("Content-Encoding");
        if (encoding != null && !encoding.strip().equalsIgnoreCase("identity")) {
            throw new ProblemException(415, "unsupported_media_type", "Unsupported Media Type",
                    "the request body must not be encoded (Content-Encoding); send it as plain application/json");
        }
        long declaredLength = request.getContentLengthLong();
        if (declaredLength > maxRequestBody) {
            throw payloadTooLarge();
        }
        try (InputStream body = request.getInputStream()) {
            // With a Content-Length (which Jetty holds the body to), exactly that: readNBytes
            // otherwise allocates 16 KiB for every body, however small.
            byte[] bytes = body.readNBytes(Math.toIntExact(declaredLength >= 0 ? declaredLength : maxRequestBody + 1));
            if (bytes.length > maxRequestBody) {
                throw payloadTooLarge();
            }
            if (bytes.length == 0) {
                throw ProblemException.badRequest("the request body is empty; expected a JSON object");
            }
            T value = mapper.readValue(utf8(bytes), type);
            if (value == null) {
                throw ProblemException.badRequest("expected a JSON object, got null");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest(describe(e));
        } catch (IOException e) {
            throw bodyUnreadable(e);
        }
    }

    public void write(HttpServletResponse response, int status, Object body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        mapper.writeValue(response.getOutputStream(), body);
    }

    public void writeProblem(HttpServletResponse response, ProblemException problem) throws IOException {
        problem.retryAfter().ifPresent(d -> response.setHeader("Retry-After", Long.toString(Math.max(1, d.toSeconds()))));
        if (!problem.allow().isEmpty()) {
            response.setHeader("Allow", String.join(", ", problem.allow()));
        }
        Problem body = problem.problem();
        response.setStatus(body.status());
        response.setContentType(Problem.MEDIA_TYPE);
        mapper.writeValue(response.getOutputStream(), body);
    }

    private ProblemException payloadTooLarge() {
        return new ProblemException(413, "payload_too_large", "Content Too Large",
                "the request body exceeds %d bytes".formatted(maxRequestBody));
    }

    /** RFC 8259 §8.1: JSON is UTF-8. A byte order mark is ignored, as the RFC allows. */
    private static String utf8(byte[] bytes) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw ProblemException.badRequest("the request body is not valid UTF-8");
        }
    }

    /** Says why the body could not be read without naming an exception: a client sees no Java. */
    private static ProblemException bodyUnreadable(IOException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof TimeoutException) {
                return new ProblemException(408, "request_timeout", "Request Timeout",
                        "the request body stalled for longer than the server waits (http.idleTimeout)");
            }
            // Jetty reports a body over its size limit as an IOException caused by a 413 BadMessageException.
            if (String.valueOf(cause.getMessage()).contains("413")) {
                return new ProblemException(413, "payload_too_large", "Content Too Large", "the request body is too large");
            }
        }
        return ProblemException.badRequest("the request body could not be read: it ended early or its framing is malformed");
    }

    /** Says what is wrong with a body in terms of its fields, never Java types or stack traces. */
    static String describe(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "unknown field '%s'".formatted(path(unknown));
        }
        if (e instanceof InputCoercionException) {
            return "a number is out of range";
        }
        if (e instanceof JsonParseException parse) {
            return "malformed JSON at line %d, column %d".formatted(
                    parse.getLocation().getLineNr(), parse.getLocation().getColumnNr());
        }
        if (e instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
            if (mismatch.getCause() instanceof InputCoercionException) {
                return "field '%s': number out of range".formatted(path(mismatch));
            }
            return "field '%s' must be %s".formatted(path(mismatch), expected(mismatch.getTargetType()));
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            if (mapping.getCause() instanceof InputCoercionException) {
                return "field '%s': number out of range".formatted(path(mapping));
            }
            return "field '%s' is invalid".formatted(path(mapping));
        }
        return "expected a JSON object";
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == long.class || type == Long.class || type == int.class || type == Integer.class) {
            return "an integer";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type.isEnum() || type.isArray() || java.util.Collection.class.isAssignableFrom(type)) {
            return type.isEnum() ? "one of the allowed values" : "an array";
        }
        return "a JSON object";
    }
}
