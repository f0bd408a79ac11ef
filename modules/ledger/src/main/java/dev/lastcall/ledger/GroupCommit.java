package dev.lastcall.ledger;

import dev.lastcall.platform.database.DatabaseUnavailable;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: requests that arrive while batches are being committed wait and go together into
 * the next one, so that one transaction (one WAL flush) serves them all. A waiting request takes
 * the next batch as soon as fewer than {@code maxInFlight} are in flight and has it committed on
 * a platform thread. An idle service adds no wait (unless {@code maxDelay} asks for one). A batch that fails with
 * anything but {@link DatabaseUnavailable} is tried again one request at a time, so that a request
 * that cannot be written fails alone.
 */
final class GroupCommit<R, A> {

    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    private final int maxSize;
    private final int maxInFlight;
    private final Duration maxDelay;
    private final Function<List<R>, List<A>> commit;
    private final Function<R, Object> key;
    private final Function<R, A> keyInFlight;
    /** The keys of the requests in the batches being committed, with how many each. */
    private final Map<Object, Integer> inFlightKeys = new HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition batchDone = lock.newCondition();
    private final ArrayDeque<Waiting<R, A>> queue = new ArrayDeque<>();
    private int inFlight;
    /**
     * The batches' platform threads: a batch makes several round trips to the database, and on a
     * virtual thread each reply would wait for a carrier thread busy with other requests.
     */
    private final ThreadPoolExecutor committer;

    /**
     * {@code commit} applies a batch in one transaction and answers each request, in order; at most
     * {@code maxInFlight} batches commit at once. A request whose {@code key} is the key of a
     * request in a batch being committed does not wait for it: it gets {@code keyInFlight} at once.
     * (One with the key of a request still waiting joins it in the same batch, which answers both.)
     */
    GroupCommit(int maxSize, int maxInFlight, Duration maxDelay, Function<List<R>, List<A>> commit,
            Function<R, Object> key, Function<R, A> keyInFlight) {
        this.maxSize = maxSize;
        this.maxInFlight = maxInFlight;
        this.maxDelay = maxDelay;
        this.commit = commit;
        this.key = key;
        this.keyInFlight = keyInFlight;
        this.committer = new ThreadPoolExecutor(maxInFlight, maxInFlight, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                Thread.ofPlatform().name("group-commit-", 1).daemon().factory());
        committer.allowCoreThreadTimeOut(true);
    }

    private static final class Waiting<R, A> {
        final R request;
        A answer;
        RuntimeException failure;
        boolean taken;
        boolean done;

        Waiting(R request) {
            this.request = request;
        }
    }

    /** The request's answer once the batch it joined has committed; what the batch threw otherwise. */
    A submit(R request) {
        Waiting<R, A> mine = new Waiting<>(request);
        lock.lock();
        try {
            if (inFlightKeys.containsKey(key.apply(request))) {
                return keyInFlight.apply(request);
            }
            queue.add(mine);
            while (!mine.done) {
                if (mine.taken || inFlight >= maxInFlight) {
                    batchDone.awaitUninterruptibly();
                } else {
                    commitNextBatch();
                }
            }
        } finally {
            lock.unlock();
        }
        if (mine.failure != null) {
            throw mine.failure;
        }
        return mine.answer;
    }

    /** Called holding the lock, which it lets go while the batch commits. */
    private void commitNextBatch() {
        inFlight++;
        List<Waiting<R, A>> batch = new ArrayList<>();
        try {
            if (!maxDelay.isZero() && queue.size() < maxSize) {
                batchDone.awaitNanos(maxDelay.toNanos());
            }
            while (batch.size() < maxSize && !queue.isEmpty()) {
                Waiting<R, A> next = queue.poll();
                next.taken = true;
                inFlightKeys.merge(key.apply(next.request), 1, Integer::sum);
                batch.add(next);
            }
            lock.unlock();
            try {
                committer.submit(() -> commitOrOneByOne(batch)).get();
            } finally {
                lock.lock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            batch.stream().filter(waiting -> !waiting.done)
                    .forEach(waiting -> fail(waiting, new IllegalStateException("the batch failed", e.getCause())));
        } finally {
            inFlight--;
            batch.forEach(done -> inFlightKeys.computeIfPresent(key.apply(done.request), (k, n) -> n == 1 ? null : n - 1));
            batchDone.signalAll();
        }
    }

    private void commitOrOneByOne(List<Waiting<R, A>> batch) {
        try {
            answer(batch, commit.apply(batch.stream().map(w -> w.request).toList()));
        } catch (DatabaseUnavailable e) {
            batch.forEach(waiting -> fail(waiting, e));
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                fail(batch.getFirst(), e);
                return;
            }
            log.warn("a batch of {} failed ({}); committing them one at a time", batch.size(), e.getMessage());
            for (Waiting<R, A> waiting : batch) {
                try {
                    answer(List.of(waiting), commit.apply(List.of(waiting.request)));
                } catch (RuntimeException alone) {
                    fail(waiting, alone);
                }
            }
        } catch (Error e) {
            batch.forEach(waiting -> fail(waiting, new IllegalStateException("the batch failed", e)));
            throw e;
        }
    }

    private static <R, A> void answer(List<Waiting<R, A>> batch, List<A> answers) {
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).answer = answers.get(i);
            batch.get(i).done = true;
        }
    }

    private static <R, A> void fail(Waiting<R, A> waiting, RuntimeException failure) {
        waiting.failure = failure;
        waiting.done = true;
    }
}
