package dev.lastcall.app.testing;

import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.Managed;
import dev.lastcall.platform.lifecycle.StopResult;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/** Components whose start or stop is slow or never ends, to drive the shutdown path's edges. */
abstract class MisbehavingComponent implements Managed {

    private static final Duration SLOW = Duration.ofSeconds(3);

    @Override
    public void start() throws Exception {}

    @Override
    public StopResult stop(Deadline deadline) throws Exception {
        return StopResult.complete("");
    }

    static void forever() throws InterruptedException {
        new CountDownLatch(1).await();
    }

    static final class SlowStart extends MisbehavingComponent {
        @Override
        public String name() {
            return "slow-start";
        }

        @Override
        public void start() throws InterruptedException {
            Thread.sleep(SLOW);
        }
    }

    static final class HangingStart extends MisbehavingComponent {
        @Override
        public String name() {
            return "hang-start";
        }

        @Override
        public void start() throws InterruptedException {
            forever();
        }
    }

    static final class HangingStop extends MisbehavingComponent {
        @Override
        public String name() {
            return "hang-stop";
        }

        @Override
        public StopResult stop(Deadline deadline) throws InterruptedException {
            forever();
            return StopResult.complete("");
        }
    }
}
