package dev.lastcall.platform.database.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** How often the health check reaches the database, and how long a caller may wait for it. */
class DatabaseCheckTest {

    private static final Duration LONG = Duration.ofMinutes(1);

    /** A pool whose connections validate as told, counting each borrow; a borrow may wait for {@link #release}. */
    private static final class FakePool {
        final AtomicInteger borrowed = new AtomicInteger();
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean blocks;
        volatile boolean valid = true;
        volatile boolean refuses;

        DataSource dataSource() {
            return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                    (proxy, method, args) -> {
                        if (!method.getName().equals("getConnection")) {
                            throw new UnsupportedOperationException(method.getName());
                        }
                        borrowed.incrementAndGet();
                        if (blocks) {
                            release.await(10, TimeUnit.SECONDS);
                        }
                        if (refuses) {
                            throw new SQLException("Connection to 127.0.0.1:1 refused");
                        }
                        return connection();
                    });
        }

        private Connection connection() {
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "isValid" -> valid;
                        case "close" -> null;
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    @Test
    void aValidConnectionIsReachable() {
        FakePool pool = new FakePool();
        DatabaseCheck check = new DatabaseCheck(() -> Optional.of(pool.dataSource()), Duration.ZERO, LONG);

        DatabaseCheck.Result result = check.check();

        assertThat(result.reachable()).isTrue();
        assertThat(result.problem()).isEmpty();
    }

    @Test
    void aRefusedOrInvalidConnectionIsUnreachableAndSaysWhy() {
        FakePool pool = new FakePool();
        DatabaseCheck check = new DatabaseCheck(() -> Optional.of(pool.dataSource()), Duration.ZERO, LONG);

        pool.refuses = true;
        assertThat(check.check()).satisfies(result -> {
            assertThat(result.reachable()).isFalse();
            assertThat(result.problem()).contains("refused");
        });
        pool.refuses = false;
        pool.valid = false;
        assertThat(check.check().problem()).contains("did not validate");
    }

    @Test
    void aPoolThatIsNotOpenIsUnreachableWithoutWaiting() {
        DatabaseCheck check = new DatabaseCheck(Optional::empty, Duration.ZERO, LONG);

        assertThat(check.check().problem()).contains("pool is not open");
    }

    @Test
    void aPoolThatClosesIsUnreachableAtOnceWhateverWasCached() {
        FakePool pool = new FakePool();
        AtomicBoolean open = new AtomicBoolean(true);
        DatabaseCheck check = new DatabaseCheck(() -> open.get() ? Optional.of(pool.dataSource()) : Optional.empty(),
                LONG, LONG);
        assertThat(check.check().reachable()).isTrue();

        open.set(false);

        assertThat(check.check().reachable()).isFalse();
        open.set(true);
        assertThat(check.check().reachable()).as("the cached check, once open again").isTrue();
        assertThat(pool.borrowed).hasValue(1);
    }

    @Test
    void reachesTheDatabaseAtMostOncePerFreshnessInterval() {
        FakePool pool = new FakePool();
        DatabaseCheck check = new DatabaseCheck(() -> Optional.of(pool.dataSource()), LONG, LONG);

        DatabaseCheck.Result first = check.check();
        for (int i = 0; i < 20; i++) {
            assertThat(check.check()).isSameAs(first);
        }
        assertThat(pool.borrowed).hasValue(1);
    }

    @Test
    void aCallerWaitsBoundedlyForADatabaseThatDoesNotAnswerAndCallersShareOneCheck() throws Exception {
        FakePool pool = new FakePool();
        pool.blocks = true;
        Duration wait = Duration.ofMillis(200);
        DatabaseCheck check = new DatabaseCheck(() -> Optional.of(pool.dataSource()), Duration.ZERO, wait);

        List<CompletableFuture<DatabaseCheck.Result>> callers = new ArrayList<>();
        long begin = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            callers.add(CompletableFuture.supplyAsync(check::check));
        }
        for (CompletableFuture<DatabaseCheck.Result> caller : callers) {
            DatabaseCheck.Result result = caller.get(5, TimeUnit.SECONDS);
            assertThat(result.reachable()).isFalse();
            assertThat(result.problem()).isEqualTo("no answer within 0.200s");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(3));
        assertThat(pool.borrowed).as("one check under way, however many ask").hasValue(1);

        pool.release.countDown();
        pool.blocks = false;
        assertThat(check.check().reachable()).isTrue();
    }
}
