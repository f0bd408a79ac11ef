package dev.lastcall.platform.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, so a test sees exactly what crossed the wire (hop-by-hop headers
 * too) and can send what {@link java.net.http.HttpClient} will not: malformed requests, bad or
 * repeated headers, a body that arrives slowly, a request on a connection known to be kept alive.
 */
public final class RawHttp implements AutoCloseable {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    /** A response as it came over the wire; header names are lower case, the first of repeated ones kept. */
    public record Response(int status, Map<String, String> headers, String body) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** A connection to {@code 127.0.0.1:port}, kept open until {@link #close}. */
    public static RawHttp open(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) CONNECT_TIMEOUT.toMillis());
        socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
        socket.setTcpNoDelay(true);
        return new RawHttp(socket);
    }

    /** True when nothing listens on the port any more: the connection attempt is refused. */
    public static boolean refused(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) CONNECT_TIMEOUT.toMillis());
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** One {@code GET} on a connection of its own. */
    public static Response get(int port, String path) throws IOException {
        try (RawHttp http = open(port)) {
            return http.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
        }
    }

    /**
     * One request on a connection of its own: {@code head} is the request line and headers,
     * CRLF-separated, without the blank line; Host, {@code Connection: close} and Content-Length are added.
     */
    public static Response exchange(int port, String head, byte[] body) throws IOException {
        try (RawHttp http = open(port)) {
            http.send(head + "\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: " + body.length + "\r\n\r\n");
            http.out.write(body);
            http.out.flush();
            return http.read();
        }
    }

    public RawHttp send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    /** Sends one chunk of a {@code Transfer-Encoding: chunked} body; an empty one ends the body. */
    public RawHttp sendChunk(String data) throws IOException {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        return send(Integer.toHexString(bytes.length) + "\r\n" + data + "\r\n");
    }

    public Response read() throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(); line != null && !line.isEmpty(); line = line()) {
            int colon = line.indexOf(':');
            headers.putIfAbsent(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = chunkedBody();
        } else if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else if (status == 204 || status == 304) {
            body = new byte[0];
        } else {
            body = in.readAllBytes();
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    /** True when the server closed the connection: a read ends the stream (or the connection was reset). */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private byte[] chunkedBody() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line();
            if (size == null) {
                throw new IOException("connection closed inside a chunked body");
            }
            int length = Integer.parseInt(size.split(";")[0].strip(), 16);
            if (length == 0) {
                skipTrailers();
                return body.toByteArray();
            }
            body.write(in.readNBytes(length));
            line();
        }
    }

    private void skipTrailers() throws IOException {
        String trailer = line();
        while (trailer != null && !trailer.isEmpty()) {
            trailer = line();
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
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
