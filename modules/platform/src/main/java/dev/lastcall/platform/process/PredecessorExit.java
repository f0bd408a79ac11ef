package dev.lastcall.platform.process;

import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.Seconds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process a successor took the service over from, which may still be draining when the
 * successor itself is stopped: the successor exits after it, since under {@code KillMode=mixed}
 * systemd kills what is left of the service once its main process has exited.
 */
final class PredecessorExit {

    private static final Logger log = LoggerFactory.getLogger(PredecessorExit.class);
    private static final Duration POLL = Duration.ofMillis(10);

    private final ProcessHandle predecessor;

    PredecessorExit(ProcessHandle predecessor) {
        this.predecessor = predecessor;
    }

    /** Returns once the predecessor has exited (true), or at {@code deadline} (false). */
    boolean await(Deadline deadline) {
        if (exited()) {
            return true;
        }
        log.info("waiting up to {} for the predecessor (pid {}) to finish its drain before exiting",
                Seconds.of(deadline.remaining()), predecessor.pid());
        while (!exited()) {
            if (deadline.hasExpired()) {
                log.warn("the predecessor (pid {}) still runs at the stop's deadline; exiting without it", predecessor.pid());
                return false;
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Gone, or a zombie its parent has not reaped yet (which ProcessHandle counts as alive). */
    private boolean exited() {
        if (!predecessor.isAlive()) {
            return true;
        }
        try {
            String stat = Files.readString(Path.of("/proc/%d/stat".formatted(predecessor.pid())));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }
}
