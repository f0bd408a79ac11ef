package dev.lastcall.platform.http;

import com.google.inject.Binder;
import com.google.inject.multibindings.Multibinder;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.server.LocalConnector;

/**
 * How a module has the successor of a reload send itself requests before it says ready ({@code
 * http.warmUp}): {@code WarmUp.of(binder()).from(LedgerWarmUp.class)}. The requests go, in memory,
 * through the public port's handlers, over and over until the warm-up's time is up, so the code
 * that serves them has served before the clients move over. They must change nothing: reads, and
 * requests refused before anything is written. They pass {@code api.tokens}, are not in the access
 * log nor in the HTTP metrics; a servlet that counts something itself skips them with {@link #isWarmUp}.
 */
public final class WarmUp {

    /** One request as it goes on the wire; its target is a path with its query. */
    public record Request(String method, String target, Map<String, String> headers, String jsonBody) {

        public static Request get(String target) {
            return new Request("GET", target, Map.of(), "");
        }

        public static Request post(String target, Map<String, String> headers, String jsonBody) {
            return new Request("POST", target, headers, jsonBody);
        }

        /** HTTP/1.1, as a client would send it, on a connection of its own that the answer closes. */
        public byte[] wire() {
            StringBuilder wire = new StringBuilder(method).append(' ').append(target)
                    .append(" HTTP/1.1\r\nHost: warm-up\r\nConnection: close\r\n");
            headers.forEach((name, value) -> wire.append(name).append(": ").append(value).append("\r\n"));
            if (!jsonBody.isEmpty()) {
                wire.append("Content-Type: application/json\r\nContent-Length: ")
                        .append(jsonBody.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
            }
            return wire.append("\r\n").append(jsonBody).toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** A module's requests; asked once, as a warm-up begins (it may read the database to choose them). */
    public interface Source {
        List<Request> requests();
    }

    private final Multibinder<Source> sources;

    private WarmUp(Binder binder) {
        this.sources = Multibinder.newSetBinder(binder, Source.class);
    }

    public static WarmUp of(Binder binder) {
        return new WarmUp(binder);
    }

    public WarmUp from(Class<? extends Source> source) {
        sources.addBinding().to(source);
        return this;
    }

    /** Whether this request is a warm-up's, sent by this process to itself: only a warm-up connects in memory. */
    public static boolean isWarmUp(HttpServletRequest request) {
        ServletContextRequest servlet = ServletContextRequest.getServletContextRequest(request);
        return servlet != null && servlet.getConnectionMetaData().getConnector() instanceof LocalConnector;
    }
}
