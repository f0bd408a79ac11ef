package dev.lastcall.platform.http.internal;

import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;

/**
 * What is left of a request body that is answered without being read (a refusal, a 404). Jetty
 * keeps a connection open only when the body has been read to its end; if it is not, Jetty closes
 * the connection after the answer without saying so, and a client's next request on it finds the
 * connection gone. A small rest is read and dropped; for a larger or chunked one the answer
 * says {@code Connection: close}.
 */
final class UnreadBody {

    /** Larger than any body the API takes but an unusual one. */
    static final int LARGEST_DROPPED = 16 * 1024;

    private UnreadBody() {}

    /** Reads and drops what is left of the body, up to {@link #LARGEST_DROPPED} bytes; false when more is left. */
    static boolean dropped(HttpServletRequest request) {
        long length = request.getContentLengthLong();
        if (length > LARGEST_DROPPED) {
            return false;
        }
        if (length < 0) {
            // no body, or a chunked one, which is not waited for
            return request.getHeader("Transfer-Encoding") == null;
        }
        try {
            ServletInputStream in = request.getInputStream();
            byte[] buffer = new byte[4096];
            for (long total = 0; total <= LARGEST_DROPPED; ) {
                int read = in.read(buffer);
                if (read < 0) {
                    return true;
                }
                total += read;
            }
            return false;
        } catch (IOException | IllegalStateException e) {
            // a broken body, or one the route read through getReader(): nothing to rely on
            return false;
        }
    }
}
