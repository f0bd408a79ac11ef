package dev.lastcall.app.load;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One keep-alive HTTP/1.1 connection of the load clients, on a plain socket so that every byte
 * the service sends (or does not send) is seen: the requests are written as they are given, the
 * answers read by Content-Length or chunks.
 */
final class ClientConnection {

    /** An answer: its status, its headers (names in lower case) and its body. */
    record Response(int status, Map<String, String> headers, String body) {
        String header(String lowerCaseName) {
            return headers.getOrDefault(lowerCaseName, "");
        }

        boolean closes() {
            return header("connection").toLowerCase(Locale.ROOT).contains("close");
        }
    }

    /** A reused connection closed before any byte of the answer: the request was not read. */
    static final class NoAnswerOnReusedConnection extends IOException {
        NoAnswerOnReusedConnection() {
            super("a reused connection closed before any byte of the answer");
        }
    }

    private final Socket socket = new Socket();
    private final InputStream in;
    private final OutputStream out;
    private int exchanges;

    ClientConnection(int port, int timeoutMillis) throws IOException {
        socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        // buffered: the head of an answer is read byte by byte, a system call each without it
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    Response exchange(String request) throws IOException {
        boolean reused = exchanges++ > 0;
        int first;
        try {
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            first = in.read();
        } catch (SocketException e) {
            if (reused) {
                throw new NoAnswerOnReusedConnection();
            }
            throw e;
        }
        if (first < 0 && reused) {
            throw new NoAnswerOnReusedConnection();
        }
        String statusLine = (first < 0 || first == '\n' ? "" : Character.toString(first)) + line();
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new HashMap<>();
        for (String header; !(header = line()).isEmpty(); ) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).strip().toLowerCase(Locale.ROOT), header.substring(colon + 1).strip());
        }
        String body = headers.getOrDefault("transfer-encoding", "").contains("chunked")
                ? chunkedBody()
                : new String(in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0"))), StandardCharsets.UTF_8);
        return new Response(status, headers, body);
    }

    private String chunkedBody() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int size; (size = Integer.parseInt(line().trim().split(";")[0], 16)) > 0; ) {
            body.write(in.readNBytes(size));
            line();
        }
        line();
        return body.toString(StandardCharsets.UTF_8);
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("connection closed by the server mid-response");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a socket that is already broken
        }
    }
}
