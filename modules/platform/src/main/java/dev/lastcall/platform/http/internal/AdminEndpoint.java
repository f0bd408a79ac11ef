package dev.lastcall.platform.http.internal;

import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One {@code GET} endpoint of the admin port, bound into the set the {@link AdminServer} serves
 * ({@code Multibinder.newSetBinder(binder(), AdminEndpoint.class).addBinding().to(...)}).
 */
public interface AdminEndpoint {

    /** The exact path, e.g. {@code /health/ready}. */
    String path();

    /** The answer to a {@code GET} (or {@code HEAD}); {@code header} reads the request's headers. */
    Answer answer(Function<String, @Nullable String> header) throws Exception;

    /** A status, a content type and the body; never cached. */
    record Answer(int status, String contentType, byte[] body) {}
}
