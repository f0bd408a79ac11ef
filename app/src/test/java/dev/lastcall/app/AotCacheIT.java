package dev.lastcall.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The units start the jar with {@code -XX:AOTCache=/opt/lastcall/lastcall.aot}; a cache that is
 * missing (not trained yet) or unreadable must cost start time, never the start, and one trained
 * for the jar before a new one was put in place must never run the old jar's classes.
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
    void aCacheTrainedBeforeTheJarWasReplacedIsSwitchedOffInTheSameProcess() throws Exception {
        Path jar = dir.resolve("lastcall.jar");
        Path cache = copyTrained(jar);
        Files.copy(Path.of(ServiceProcess.jar()), dir.resolve("new.jar"));
        Files.move(dir.resolve("new.jar"), jar, StandardCopyOption.REPLACE_EXISTING);

        ReadyProcess ready = startAndStop(jar, cache);

        assertThat(ready.output()).contains("the AOT cache " + cache + " was written before " + jar + " was put in place");
        assertThat(ready.commandLine()).as("the process that is ready is the one started, running without the cache")
                .contains("-XX:AOTMode=off");
    }

    @Test
    void aCacheTrainedForTheJarIsUsed() throws Exception {
        Path jar = dir.resolve("lastcall.jar");
        Path cache = copyTrained(jar);

        ReadyProcess ready = startAndStop(jar, cache);

        assertThat(ready.output()).doesNotContain("was written before");
        assertThat(ready.commandLine()).doesNotContain("-XX:AOTMode=off");
    }

    /** What the started process printed, and its command line once it was ready. */
    private record ReadyProcess(String output, List<String> commandLine) {}

    private static ReadyProcess startAndStop(Path jar, Path cache) throws Exception {
        try (ServiceProcess service = ServiceProcess.builder().jar(jar).aotCache(cache).stateDir(state).start()) {
            service.awaitReady();
            List<String> commandLine = List.of(Files.readString(Path.of("/proc/" + service.pid() + "/cmdline")).split("\0"));
            service.terminate();
            assertThat(service.awaitExit(Duration.ofSeconds(60))).isZero();
            return new ReadyProcess(service.output(), commandLine);
        }
    }

    @Test
    void theShippedJvmOptionsFileIsOneJavaAccepts() throws Exception {
        Process java = new ProcessBuilder(ServiceProcess.java(), "@" + ServiceProcess.jvmOptionsFile(), "-version")
                .redirectErrorStream(true).start();
        String output = new String(java.getInputStream().readAllBytes());

        assertThat(java.waitFor()).as("java @config/jvm.options -version:%n%s", output).isZero();
    }

    /**
     * Copies the built jar to {@code jar} and trains a cache for it; returns the cache. A small one,
     * from {@code --version}: it holds Main and what runs before the check, which is what matters here.
     */
    private Path copyTrained(Path jar) throws Exception {
        Files.copy(Path.of(ServiceProcess.jar()), jar);
        Path cache = dir.resolve("lastcall.aot");
        Process java = new ProcessBuilder(ServiceProcess.java(), "@" + ServiceProcess.jvmOptionsFile(), "-XX:AOTCacheOutput=" + cache,
                "-jar", jar.toString(), "--version").redirectErrorStream(true).start();
        String output = new String(java.getInputStream().readAllBytes());
        assertThat(java.waitFor()).as("training:%n%s", output).isZero();
        assertThat(cache).exists();
        return cache;
    }

    private void startsAndStopsCleanly(Path cache) throws Exception {
        assertThat(startAndStop(Path.of(ServiceProcess.jar()), cache).output()).as("the JVM says it runs without the cache")
                .containsIgnoringCase("aot");
    }
}
