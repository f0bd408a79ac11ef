package dev.lastcall.app.hostile;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One connection that sends exactly the bytes of a case and reads every response the server sends
 * on it until it closes the connection: a smuggled second request shows up as a second response.
 */
final class Wire {

    /** Longer than the service's {@code http.idleTimeout}, so a stalled case sees the server's answer. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(12);

    /** A response as it came over the wire; header names in lower case, the first of repeated ones kept. */
    record Response(int status, Map<String, String> headers, String body) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** What came back: the responses in order, and whether the server closed the connection or went silent. */
    record Outcome(List<Response> responses, boolean timedOut) {}

    private Wire() {}

    static Outcome exchange(int port, HostileCase hostile) throws IOException, InterruptedException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            for (int i = 0; i < hostile.parts().size(); i++) {
                if (i > 0) {
                    Thread.sleep(hostile.pause());
                }
                try {
                    out.write(hostile.parts().get(i));
                    out.flush();
                } catch (IOException closedEarly) {
                    break; // the server refused before the whole request was sent; read its answer
                }
            }
            InputStream in = new BufferedInputStream(socket.getInputStream());
            List<Response> responses = new ArrayList<>();
            try {
                for (Response response = read(in); response != null; response = read(in)) {
                    if (response.status() >= 200) {
                        responses.add(response);
                    }
                }
                return new Outcome(responses, false);
            } catch (SocketTimeoutException e) {
                return new Outcome(responses, true);
            } catch (IOException reset) {
                return new Outcome(responses, false);
            }
        }
    }

    private static Response read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            return null;
        }
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.putIfAbsent(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
        byte[] body;
        if (status < 200 || status == 204 || status == 304) {
            body = new byte[0];
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = chunked(in);
        } else if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else {
            body = in.readAllBytes();
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            int length = size == null ? 0 : Integer.parseInt(size.split(";")[0].strip(), 16);
            if (length == 0) {
                for (String trailer = line(in); trailer != null && !trailer.isEmpty(); trailer = line(in)) {
                    // trailers are not looked at
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(length));
            line(in);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }
}
