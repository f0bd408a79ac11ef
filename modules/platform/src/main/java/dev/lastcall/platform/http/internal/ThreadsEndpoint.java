package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.lifecycle.ThreadDump;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpStatus;
import org.jspecify.annotations.Nullable;

/** {@code GET /threads}: every platform thread's stack, as text, the way a hung stop logs it. */
public final class ThreadsEndpoint implements AdminEndpoint {

    @Override
    public String path() {
        return "/threads";
    }

    @Override
    public Answer answer(Function<String, @Nullable String> header) {
        return new Answer(HttpStatus.OK_200, "text/plain;charset=utf-8",
                ThreadDump.ofAllThreads().getBytes(StandardCharsets.UTF_8));
    }
}
