package dev.lastcall.platform.database.internal;

import dev.lastcall.platform.database.DatabaseUnavailable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lastcall.platform.lifecycle.ExitStatus;
import dev.lastcall.platform.lifecycle.StartFailure;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start and refusal without any database: nothing listens on port 1. */
class DatabaseStartTest {

    @TempDir
    Path stateDir;

    @Test
    void unreachableDatabaseFailsTheStartQuicklyNamingTheUrlButNotThePassword() {
        PooledTransactions transactions = new PooledTransactions();
        Database database = new Database(new DatabaseSettings("jdbc:postgresql://127.0.0.1:1/none?password=s3cret",
                "lastcall", "hunter2", 2, Duration.ofSeconds(1), stateDir), transactions);

        long begin = System.nanoTime();
        assertThatThrownBy(database::start).isInstanceOfSatisfying(StartFailure.class, failure -> {
            assertThat(failure.status()).isEqualTo(ExitStatus.DATABASE_UNREACHABLE);
            assertThat(failure.getMessage())
                    .startsWith("database unreachable at jdbc:postgresql://127.0.0.1:1/none?password=***: ")
                    .contains("refused")
                    .doesNotContain("s3cret", "hunter2", "\n");
        });
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(5));
        assertThatThrownBy(() -> transactions.execute(connection -> 1)).isInstanceOf(DatabaseUnavailable.class);
    }

    @Test
    void refusesWorkBeforeTheDatabaseStarted() {
        assertThatThrownBy(() -> new PooledTransactions().execute(connection -> 1))
                .isInstanceOfSatisfying(DatabaseUnavailable.class,
                        e -> assertThat(e.retryAfter()).isPositive());
    }
}
