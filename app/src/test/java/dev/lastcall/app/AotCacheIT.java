package dev.lastcall.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The units start the jar with {@code -XX:AOTCache=/opt/lastcall/lastcall.aot}; a cache that is
 * missing (not trained yet) or unreadable must cost start time, never the start.
 */
class AotCacheIT {

    @TempDir
    Path dir;

    /** One database for the class, so that only the first start makes it. */
    @TempDir
    static Path state;

    @Test
    void startsWithoutTheCacheWhenItIsMissing() throws Exception {
        Path missing = dir.resolve("lastcall.aot");

        startsAndStopsCleanly(missing);
    }

    @Test
    void startsWithoutTheCacheWhenItIsCorrupt() throws Exception {
        Path corrupt = dir.resolve("lastcall.aot");
        byte[] garbage = new byte[64 * 1024];
        ThreadLocalRandom.current().nextBytes(garbage);
        Files.write(corrupt, garbage);

        startsAndStopsCleanly(corrupt);
    }

    @Test
    void theShippedJvmOptionsFileIsOneJavaAccepts() throws Exception {
        Process java = new ProcessBuilder(ServiceProcess.java(), "@" + ServiceProcess.jvmOptionsFile(), "-version")
                .redirectErrorStream(true).start();
        String output = new String(java.getInputStream().readAllBytes());

        assertThat(java.waitFor()).as("java @config/jvm.options -version:%n%s", output).isZero();
    }

    private void startsAndStopsCleanly(Path cache) throws Exception {
        try (ServiceProcess service = ServiceProcess.builder().aotCache(cache).stateDir(state).start()) {
            service.awaitReady();
            assertThat(service.output()).as("the JVM says it runs without the cache").containsIgnoringCase("aot");
            service.terminate();
            assertThat(service.awaitExit(Duration.ofSeconds(60))).isZero();
        }
    }
}
