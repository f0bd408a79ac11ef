package dev.lastcall.platform.http.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.util.BufferUtil;

/**
 * Jetty's request parser, with the request line's version read as RFC 9110 §2.5 asks: a later
 * minor version of HTTP/1 ({@code HTTP/1.2} … {@code HTTP/1.9}) is served as HTTP/1.1; another
 * well-formed version ({@code HTTP/0.9}, {@code HTTP/2.0}, {@code HTTP/3.0}) is 505; a malformed
 * one ({@code HTTX/1.1}, {@code HTTP/1}, {@code HTTP/1.1.1}) is 400. The version is read when a
 * request's whole first line is in the buffer as its parse starts, as it is for any request a
 * client sends at once; a request line that arrives in pieces is left to Jetty, which answers an
 * unknown version 505.
 */
final class HttpOneParser extends HttpParser {

    private static final int LF = '\n';
    /** The last word of a request line that has one after the target. */
    private static final Pattern VERSION = Pattern.compile("^\\S+ +\\S+ +(\\S*) *\\r?$");
    private static final Pattern WELL_FORMED = Pattern.compile("HTTP/([0-9])\\.([0-9])");
    private static final byte HIGHEST_MINOR = '1';
    private static final byte[] UNSUPPORTED = "HTTP/0.9".getBytes(StandardCharsets.US_ASCII);

    HttpOneParser(RequestHandler handler, int maxHeaderBytes, HttpCompliance compliance) {
        super(handler, maxHeaderBytes, compliance);
    }

    @Override
    public boolean parseNext(ByteBuffer buffer) {
        if (getState() == State.START) {
            try {
                readVersion(buffer);
            } catch (BadMessageException refused) {
                // Jetty's parser starts a request's clock at its first byte: give it that byte, so the
                // refusal is timed (access log, metrics) as any other request is
                super.parseNext(buffer.slice(buffer.position(), 1));
                BufferUtil.clear(buffer);
                if (!isClose() && !isClosed()) { // that byte alone may be one Jetty refuses itself
                    badMessage(refused);
                }
                return false;
            }
        }
        return super.parseNext(buffer);
    }

    private static void readVersion(ByteBuffer buffer) {
        int start = buffer.position();
        while (start < buffer.limit() && (buffer.get(start) == '\r' || buffer.get(start) == LF)) {
            start++;
        }
        int end = start;
        while (end < buffer.limit() && buffer.get(end) != LF) {
            end++;
        }
        if (end == buffer.limit()) {
            return;
        }
        byte[] line = new byte[end - start];
        buffer.get(start, line);
        Matcher version = VERSION.matcher(new String(line, StandardCharsets.ISO_8859_1));
        if (!version.matches()) {
            return; // no version (HTTP/0.9's form) or no target: Jetty refuses it
        }
        Matcher parts = WELL_FORMED.matcher(version.group(1));
        if (!parts.matches()) {
            throw new BadMessageException(HttpStatus.BAD_REQUEST_400, "malformed HTTP version in the request line");
        }
        if (buffer.isReadOnly()) {
            return;
        }
        int versionAt = start + version.start(1);
        if (!parts.group(1).equals("1")) {
            // a version Jetty's own parser refuses with 505, written over this one (both are HTTP/d.d)
            buffer.put(versionAt, UNSUPPORTED);
        } else if (parts.group(2).charAt(0) > HIGHEST_MINOR) {
            buffer.put(versionAt + UNSUPPORTED.length - 1, HIGHEST_MINOR);
        }
    }
}
