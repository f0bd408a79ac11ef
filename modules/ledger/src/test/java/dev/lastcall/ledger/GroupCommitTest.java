package dev.lastcall.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The batching itself, with a commit that only records what it was given: real threads, no database. */
class GroupCommitTest {

    private static final int MAX_SIZE = 8;

    /** A commit that takes a little time, as a database's would, and answers each request with itself. */
    private static final class RecordingCommit implements Function<List<String>, List<String>> {
        final AtomicInteger committing = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();
        final List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        final ConcurrentHashMap<String, Integer> committed = new ConcurrentHashMap<>();

        @Override
        public List<String> apply(List<String> batch) {
            mostAtOnce.accumulateAndGet(committing.incrementAndGet(), Math::max);
            sizes.add(batch.size());
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
            batch.forEach(request -> committed.merge(request, 1, Integer::sum));
            committing.decrementAndGet();
            return batch.stream().map(request -> "answer to " + request).toList();
        }
    }

    @Test
    void everyRequestGetsItsOwnAnswerOnceAndBatchesStayWithinTheirLimits() throws Exception {
        RecordingCommit commit = new RecordingCommit();
        GroupCommit<String, String> batches = new GroupCommit<>(MAX_SIZE, 1, Duration.ZERO, commit, r -> r, r -> "in flight");
        int clients = 64;
        int each = 300;

        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<List<String>>> answers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                answers.add(threads.submit(() -> {
                    List<String> mine = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        mine.add(batches.submit(client + "-" + i));
                    }
                    return mine;
                }));
            }
            for (int c = 0; c < clients; c++) {
                List<String> mine = answers.get(c).get(60, TimeUnit.SECONDS);
                for (int i = 0; i < each; i++) {
                    assertThat(mine.get(i)).isEqualTo("answer to " + c + "-" + i);
                }
            }
        } finally {
            threads.shutdownNow();
        }

        assertThat(commit.committed).hasSize(clients * each).allSatisfy((request, times) -> assertThat(times).isOne());
        assertThat(commit.sizes).allSatisfy(size -> assertThat(size).isBetween(1, MAX_SIZE));
        assertThat(commit.mostAtOnce).hasValue(1);
        assertThat(commit.sizes.stream().mapToInt(Integer::intValue).average().orElseThrow())
                .as("requests that arrive while a batch commits share the next").isGreaterThan(2);
    }

    @Test
    void aRequestWithTheKeyOfOneBeingCommittedGetsTheInFlightAnswerAtOnce() throws Exception {
        CountDownLatch committing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        GroupCommit<String, String> batches = new GroupCommit<>(MAX_SIZE, 1, Duration.ZERO, batch -> {
            committing.countDown();
            await(release);
            return batch.stream().map(request -> "answer to " + request).toList();
        }, r -> r, r -> "in flight");

        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Future<String> first = threads.submit(() -> batches.submit("k"));
            assertThat(committing.await(10, TimeUnit.SECONDS)).isTrue();

            assertThat(threads.submit(() -> batches.submit("k")).get(10, TimeUnit.SECONDS)).isEqualTo("in flight");

            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("answer to k");
        } finally {
            release.countDown();
            threads.shutdownNow(); // not close(): it would wait for a thread stuck by the bug a failed assertion found
        }
    }

    @Test
    void aBatchThatThrowsAnErrorFailsItsRequestsAndThoseWaitingAreStillCommitted() throws Exception {
        CountDownLatch committing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch secondQueued = new CountDownLatch(1);
        AtomicInteger batchesSeen = new AtomicInteger();
        GroupCommit<String, String> batches = new GroupCommit<>(MAX_SIZE, 1, Duration.ZERO, batch -> {
            if (batchesSeen.incrementAndGet() == 1) {
                committing.countDown();
                await(release);
                throw new OutOfMemoryError("pretend");
            }
            return batch.stream().map(request -> "answer to " + request).toList();
        }, request -> {
            // asked first holding the lock that queueing needs: "b" is queued before any batch can end
            if (request.equals("b")) {
                secondQueued.countDown();
            }
            return request;
        }, r -> "in flight");

        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Future<String> first = threads.submit(() -> batches.submit("a"));
            assertThat(committing.await(10, TimeUnit.SECONDS)).isTrue();
            Future<String> waiting = threads.submit(() -> batches.submit("b"));
            assertThat(secondQueued.await(10, TimeUnit.SECONDS)).isTrue();
            release.countDown();

            assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo("answer to b");
            assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS)).hasRootCauseInstanceOf(OutOfMemoryError.class);
            assertThat(threads.submit(() -> batches.submit("c")).get(10, TimeUnit.SECONDS)).isEqualTo("answer to c");
        } finally {
            release.countDown();
            threads.shutdownNow();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
