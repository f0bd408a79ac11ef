package dev.lastcall.app.hostile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One hostile request: a readable name, the exact bytes sent (in parts, with a pause between
 * them for a slow client), and what the answer must be beyond what every answer must be.
 *
 * @param expected the statuses this case may get; empty for "any that passes the common checks"
 * @param code the problem code expected, or null for any code of the status
 * @param port which port it goes to
 */
record HostileCase(String name, List<byte[]> parts, Duration pause, Set<Integer> expected, String code, Port port) {

    enum Port { API, ADMIN }

    static final String TOKEN = "hostile-suite-token-0123456789";
    static final String AUTHORIZATION = "Authorization: Bearer " + TOKEN;

    @Override
    public String toString() {
        return name;
    }

    /** Whether the case may be answered 2xx: a read. A write must never be accepted. */
    boolean isWrite() {
        String start = new String(parts.getFirst(), 0, Math.min(8, parts.getFirst().length), StandardCharsets.ISO_8859_1);
        return start.startsWith("POST") || start.startsWith("PUT") || start.startsWith("DELETE") || start.startsWith("PATCH");
    }

    static Builder named(String name) {
        return new Builder(name);
    }

    /** Builds a request from its parts, or takes raw bytes. */
    static final class Builder {
        private final String name;
        private String method = "GET";
        private String target = "/";
        private String version = "HTTP/1.1";
        private final List<String> headers = new ArrayList<>();
        private boolean authorized = true;
        private boolean contentLength = true;
        private boolean close = true;
        private byte[] body;
        private byte[] raw;
        private final List<byte[]> more = new ArrayList<>();
        private Duration pause = Duration.ZERO;
        private final Set<Integer> expected = new LinkedHashSet<>();
        private String code;
        private Port port = Port.API;

        private Builder(String name) {
            this.name = name;
        }

        Builder request(String method, String target) {
            this.method = method;
            this.target = target;
            return this;
        }

        Builder version(String value) {
            version = value;
            return this;
        }

        Builder header(String line) {
            headers.add(line);
            return this;
        }

        Builder json(String text) {
            header("Content-Type: application/json");
            return body(text.getBytes(StandardCharsets.UTF_8));
        }

        Builder body(byte[] bytes) {
            body = bytes;
            return this;
        }

        Builder unauthorized() {
            authorized = false;
            return this;
        }

        Builder noContentLength() {
            contentLength = false;
            return this;
        }

        Builder keepAlive() {
            close = false;
            return this;
        }

        /** The exact bytes of the request, nothing added. */
        Builder raw(String text) {
            raw = text.getBytes(StandardCharsets.ISO_8859_1);
            return this;
        }

        /** Bytes sent after {@code pause}, as a slow client would. */
        Builder thenAfter(Duration wait, String text) {
            pause = wait;
            more.add(text.getBytes(StandardCharsets.ISO_8859_1));
            return this;
        }

        Builder admin() {
            port = Port.ADMIN;
            authorized = false;
            return this;
        }

        Builder expect(int status, String problemCode) {
            expected.add(status);
            code = problemCode;
            return this;
        }

        Builder expectAny(Integer... statuses) {
            expected.addAll(List.of(statuses));
            return this;
        }

        HostileCase build() {
            List<byte[]> parts = new ArrayList<>();
            parts.add(raw != null ? raw : assemble());
            parts.addAll(more);
            return new HostileCase(name, parts, pause, Set.copyOf(expected), code, port);
        }

        private byte[] assemble() {
            StringBuilder head = new StringBuilder(method).append(' ').append(target).append(' ').append(version).append("\r\n");
            head.append("Host: 127.0.0.1\r\n");
            if (authorized) {
                head.append(AUTHORIZATION).append("\r\n");
            }
            headers.forEach(line -> head.append(line).append("\r\n"));
            if (contentLength && body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            if (close) {
                head.append("Connection: close\r\n");
            }
            head.append("\r\n");
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
            if (body != null) {
                bytes.writeBytes(body);
            }
            return bytes.toByteArray();
        }
    }
}
