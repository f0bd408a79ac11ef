package dev.lastcall.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, item 6: a SIGTERM that was never obeyed, with no log line. A stdout nobody reads (a
 * stalled journal, a full pipe) blocks every thread that logs; the signal handler logged before it
 * acted, so it blocked too and the stop never began. Now the stop begins first, and a stop that
 * cannot finish is halted by its watchdog within the budget, even with the log stuck.
 */
class SignalsProcessIT {

    private static final Duration BUDGET = Duration.ofSeconds(3);
    /** The watchdog's second past the budget, its report's second, the halt's log flush second, the JVM's exit, and a loaded machine. */
    private static final Duration GRACE = Duration.ofSeconds(10);
    /**
     * Each adds an access line of about 120 bytes; the pipe (64 KiB) and the reader's buffers
     * (16 KiB) hold about 680. A request held up before this many is the machine, not the pipe.
     * Not more: once the pipe is full every request is held up, each for {@link #HELD_UP}.
     */
    private static final int MIN_REQUESTS = 400;
    private static final int MAX_REQUESTS = 20_000;
    private static final Duration HELD_UP = Duration.ofSeconds(3);

    @TempDir
    Path state;

    @Test
    void aSigtermIsObeyedWithinTheBudgetWhileNobodyReadsStdout() throws Exception {
        try (ServiceProcess service = ServiceProcess.builder().stateDir(state).quiet()
                .env("LASTCALL_SHUTDOWN_TIMEOUT", BUDGET.toMillis() + "ms")
                .env("LASTCALL_HTTP_STOP_TIMEOUT", "1s")
                .env("LASTCALL_DB_STOP_TIMEOUT", "1s")
                .start().awaitReady(Duration.ofMinutes(5))) {
            service.pauseReading();
            assertThat(fillStdoutWithAccessLines(service.httpPort()))
                    .as("a request held up by its access line: stdout is full").isTrue();

            long signalled = System.nanoTime();
            service.signal("TERM");
            long limit = signalled + BUDGET.plus(GRACE).plusSeconds(50).toNanos();
            while (service.isAlive() && System.nanoTime() < limit) {
                Thread.sleep(10);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - signalled);
            service.resumeReading();
            int status = service.awaitExit(Duration.ofSeconds(5));

            assertThat(took).as("SIGTERM to exit").isLessThanOrEqualTo(BUDGET.plus(GRACE));
            assertThat(status).as("exit status: 5, the stop hung on its log and was halted").isEqualTo(5);
        }
    }

    /**
     * Sends requests, each adding an access line, until more lines than stdout can hold were logged
     * and a request is held up (its connection's thread is stuck writing its line).
     */
    private static boolean fillStdoutWithAccessLines(int port) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/accounts/nobody"))
                    .timeout(HELD_UP).build();
            for (int i = 0; i < MAX_REQUESTS; i++) {
                try {
                    // the whole exchange: a request's timeout ends at the headers, and a body can stall too
                    http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).get(HELD_UP.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    if (i >= MIN_REQUESTS) {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
