package dev.lastcall.platform.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.inject.AbstractModule;
import dev.lastcall.platform.database.Transactions;
import dev.lastcall.platform.lifecycle.ComponentStop;
import dev.lastcall.platform.lifecycle.StopReport;
import dev.lastcall.platform.outbox.Outbox;
import dev.lastcall.platform.outbox.OutboxConsumers;
import dev.lastcall.platform.scheduling.Job;
import dev.lastcall.platform.scheduling.JobSchedule;
import dev.lastcall.platform.scheduling.Jobs;
import dev.lastcall.platform.testing.Scrape;
import dev.lastcall.platform.testing.TestService;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The platform's meters with a real database: JVM, pool, jobs, outbox, lifecycle and the database's drain. */
class PlatformMetricsIT {

    private static final String CONSUMER = "metrics-test";
    private static final String JOB = "metrics-test-job";

    /** A job that fails every other run, and an outbox consumer that never takes anything. */
    private static final class TestWork extends AbstractModule {
        private final AtomicInteger runs = new AtomicInteger();

        @Override
        protected void configure() {
            OutboxConsumers.of(binder()).add(CONSUMER);
            Jobs.of(binder()).schedule(JOB, JobSchedule.every(Duration.ofMillis(20)), () -> {
                if (runs.incrementAndGet() % 2 == 0) {
                    throw new IllegalStateException("every other run fails");
                }
                return Job.Backlog.NONE;
            });
        }
    }

    @Test
    void jvmPoolJobsOutboxAndLifecycleAppearWithSensibleValues() throws Exception {
        try (TestService service = TestService.builder().module(new TestWork()).start()) {
            service.transactions().execute(tx -> {
                Outbox outbox = service.get(Outbox.class);
                for (int i = 0; i < 3; i++) {
                    outbox.publish(tx, "test.event", Map.of("n", i));
                }
                return null;
            });
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    scrape(service).value("lastcall_job_runs_total", "job", JOB, "outcome", "failure").orElse(0) >= 2);
            Thread.sleep(1_100);

            Scrape scrape = scrape(service);

            assertThat(scrape.value("jvm_memory_used_bytes", "area", "heap", "id", "G1 Eden Space").isPresent()
                    || scrape.sum("jvm_memory_used_bytes", "area", "heap") > 0).isTrue();
            assertThat(scrape.sum("jvm_memory_used_bytes", "area", "heap")).isPositive();
            assertThat(scrape.value("jvm_threads_live_threads").orElseThrow()).isPositive();
            assertThat(scrape.value("jvm_classes_loaded_classes").orElseThrow()).isGreaterThan(1_000);
            assertThat(scrape.value("process_files_open_files").orElseThrow()).isPositive();
            assertThat(scrape.value("process_uptime_seconds").orElseThrow()).isPositive();
            assertThat(scrape.value("system_cpu_count").orElseThrow()).isPositive();
            assertThat(scrape.names()).contains("process_cpu_usage", "jvm_gc_memory_allocated_bytes_total");

            assertThat(scrape.value("hikaricp_connections_max", "pool", "lastcall")).hasValue(10);
            assertThat(scrape.value("hikaricp_connections", "pool", "lastcall").orElseThrow()).isPositive();
            assertThat(scrape.value("hikaricp_connections_acquire_seconds_count", "pool", "lastcall").orElseThrow())
                    .isPositive();

            assertThat(scrape.value("lastcall_job_runs_total", "job", JOB, "outcome", "success").orElseThrow())
                    .isGreaterThanOrEqualTo(2);
            assertThat(scrape.value("lastcall_job_runs_total", "job", JOB, "outcome", "failure").orElseThrow())
                    .isGreaterThanOrEqualTo(2);
            assertThat(scrape.value("lastcall_job_run_duration_seconds_count", "job", JOB).orElseThrow())
                    .isGreaterThanOrEqualTo(4);

            assertThat(scrape.value("lastcall_outbox_pending", "consumer", CONSUMER)).hasValue(3);
            assertThat(scrape.value("lastcall_outbox_oldest_age_seconds", "consumer", CONSUMER).orElseThrow())
                    .isGreaterThanOrEqualTo(1).isLessThan(60);

            assertThat(scrape.value("lastcall_lifecycle_state", "state", "running")).hasValue(1);
            assertThat(scrape.value("lastcall_lifecycle_state", "state", "stopping")).hasValue(0);
            assertThat(scrape.value("lastcall_lifecycle_start_duration_seconds", "component", "database",
                    "phase", "database").orElseThrow()).isPositive();
            assertThat(scrape.value("lastcall_lifecycle_exit_status").orElseThrow()).isNaN();
        }
    }

    @Test
    void theOutboxGaugeIsNaNAtOnceWhenTheDatabaseCannotAnswer() throws Exception {
        try (TestService service = TestService.builder().module(new TestWork()).start()) {
            MeterRegistry registry = service.get(MeterRegistry.class);
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    registry.get("lastcall.outbox.pending").tag("consumer", CONSUMER).gauge().value() == 0);

            service.stop();
            Thread.sleep(1_100);
            long begin = System.nanoTime();
            double pending = registry.get("lastcall.outbox.pending").tag("consumer", CONSUMER).gauge().value();

            assertThat(pending).isNaN();
            assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofMillis(500));
        }
    }

    @Test
    void theDatabaseDrainCountsFinishedAndRolledBackTransactionsWhileItRuns() throws Exception {
        try (TestService service = TestService.builder()
                .env("LASTCALL_DB_STOP_TIMEOUT", "2s")
                .env("LASTCALL_SHUTDOWN_TIMEOUT", "10s")
                .env("LASTCALL_HTTP_STOP_TIMEOUT", "2s")
                .start()) {
            Transactions transactions = service.transactions();
            CountDownLatch entered = new CountDownLatch(2);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Object> finishing = CompletableFuture.supplyAsync(() -> transactions.execute(tx -> {
                entered.countDown();
                awaitLatch(release);
                return null;
            }), PlatformMetricsIT::newThread);
            CompletableFuture<Object> stuck = CompletableFuture.supplyAsync(() -> transactions.execute(tx -> {
                entered.countDown();
                try (var sleep = tx.createStatement()) {
                    sleep.execute("SELECT pg_sleep(30)");
                }
                return null;
            }), PlatformMetricsIT::newThread);
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(scrape(service).value("lastcall_database_transactions_open")).hasValue(2);

            CompletableFuture<StopReport> stop = service.stopInBackground();
            // the workers' stop duration appears once they stopped: the database's drain comes next
            await().atMost(Duration.ofSeconds(5)).until(() -> scrape(service)
                    .value("lastcall_lifecycle_stop_duration_seconds", "component", "workers").isPresent());
            Thread.sleep(100);
            Scrape draining = scrape(service);
            assertThat(draining.value("lastcall_lifecycle_state", "state", "stopping")).hasValue(1);
            assertThat(draining.value("lastcall_database_drain_transactions_total", "outcome", "finished")).hasValue(0);
            release.countDown();
            await().atMost(Duration.ofSeconds(1)).ignoreExceptions().until(() -> scrape(service)
                    .value("lastcall_database_drain_transactions_total", "outcome", "finished").orElse(0) == 1);

            StopReport report = stop.get(20, TimeUnit.SECONDS);
            MeterRegistry registry = service.get(MeterRegistry.class);
            assertThat(report.components()).extracting(ComponentStop::name).contains("database");
            assertThat(registry.get("lastcall.database.drain.transactions").tag("outcome", "finished").functionCounter()
                    .count()).isEqualTo(1);
            assertThat(registry.get("lastcall.database.drain.transactions").tag("outcome", "rolled_back")
                    .functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("lastcall.lifecycle.exit_status").gauge().value()).isEqualTo(4);
            assertThat(registry.get("lastcall.lifecycle.stop.duration").tag("component", "database").timeGauge()
                    .value(TimeUnit.SECONDS)).isGreaterThanOrEqualTo(1.5);
            assertThat(finishing).succeedsWithin(Duration.ofSeconds(5));
            assertThat(stuck).failsWithin(Duration.ofSeconds(5));
        }
    }

    private static void newThread(Runnable task) {
        Thread.ofPlatform().daemon().start(task);
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Scrape scrape(TestService service) throws Exception {
        return Scrape.of(service.adminUri("/metrics"));
    }
}
