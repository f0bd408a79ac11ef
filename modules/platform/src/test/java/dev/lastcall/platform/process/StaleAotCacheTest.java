package dev.lastcall.platform.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaleAotCacheTest {

    @TempDir
    Path dir;

    private Path jar;
    private Path cache;

    @BeforeEach
    void jarAndCache() throws Exception {
        jar = Files.write(dir.resolve("lastcall.jar"), new byte[] {1});
        cache = Files.write(dir.resolve("lastcall.aot"), new byte[] {2});
    }

    @Test
    void aCacheWrittenBeforeTheJarWasPutInPlaceIsStale() throws Exception {
        Files.setLastModifiedTime(cache, FileTime.from(Instant.now().minus(Duration.ofHours(1))));

        assertThat(StaleAotCache.staleness(units("-XX:AOTCache=lastcall.aot"), dir))
                .hasValueSatisfying(why -> assertThat(why).contains(cache.toString(), "written before", jar.toString()));
    }

    @Test
    void aJarCopiedWithItsOldTimesIsStillNewerThanTheCache() throws Exception {
        // cp -p and install -p keep the old modification time; the status change time is now all the same
        Files.setLastModifiedTime(cache, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minus(Duration.ofDays(30))));

        assertThat(StaleAotCache.staleness(units("-XX:AOTCache=lastcall.aot"), dir)).isPresent();
    }

    @Test
    void aCacheTrainedAfterTheJarIsNot() throws Exception {
        Files.setLastModifiedTime(cache, FileTime.from(Instant.now().plus(Duration.ofMinutes(1))));

        assertThat(StaleAotCache.staleness(units("-XX:AOTCache=lastcall.aot"), dir)).isEmpty();
    }

    @Test
    void noCacheAMissingOneOrOneSwitchedOffIsNeverStale() throws Exception {
        Files.setLastModifiedTime(cache, FileTime.from(Instant.now().minus(Duration.ofHours(1))));

        assertThat(StaleAotCache.staleness(units(), dir)).isEmpty();
        assertThat(StaleAotCache.staleness(units("-XX:AOTCache=missing.aot"), dir)).isEmpty();
        assertThat(StaleAotCache.staleness(StaleAotCache.withoutCache(units("-XX:AOTCache=lastcall.aot")), dir)).isEmpty();
        assertThat(StaleAotCache.staleness(List.of("/jdk/bin/java", "-XX:AOTCache=lastcall.aot", "-cp", "lastcall.jar", "Main"), dir))
                .isEmpty();
    }

    @Test
    void optionsAfterTheJarAreArgumentsOfTheServiceNotOfTheJvm() throws Exception {
        Files.setLastModifiedTime(cache, FileTime.from(Instant.now().minus(Duration.ofHours(1))));

        assertThat(StaleAotCache.staleness(List.of("/jdk/bin/java", "-jar", "lastcall.jar", "-XX:AOTCache=lastcall.aot"), dir))
                .isEmpty();
        assertThat(StaleAotCache.staleness(List.of("/jdk/bin/java", "-XX:AOTCache=lastcall.aot", "-jar", "lastcall.jar",
                "-XX:AOTMode=off"), dir)).isPresent();
    }

    @Test
    void theRestartSwitchesTheCacheOffAndAReloadsSuccessorSwitchesItOnAgain() {
        List<String> argv = units("-XX:AOTCache=lastcall.aot");

        List<String> without = StaleAotCache.withoutCache(argv);

        assertThat(without).as("after the options of an argument file, which could switch it on again")
                .endsWith(StaleAotCache.MARK, StaleAotCache.OFF, "-jar", "lastcall.jar");
        assertThat(StaleAotCache.withCacheAgain(without)).isEqualTo(argv);
        List<String> ownChoice = List.of("/jdk/bin/java", "-XX:AOTMode=off", "-jar", "lastcall.jar");
        assertThat(StaleAotCache.withCacheAgain(ownChoice)).as("an operator's own -XX:AOTMode=off stays").isEqualTo(ownChoice);
    }

    private static List<String> units(String... jvmOptions) {
        List<String> argv = new java.util.ArrayList<>(List.of("/jdk/bin/java", "@/opt/lastcall/jvm.options"));
        argv.addAll(List.of(jvmOptions));
        argv.addAll(List.of("-jar", "lastcall.jar"));
        return argv;
    }

    @Test
    void aJavaNamedByItsPathIsRunByThatPathSoAJdkLinkedAnewIsTheSuccessorsOne() {
        List<String> argv = List.of("/opt/lastcall/jdk/bin/java", "-jar", "lastcall.jar");

        assertThat(StaleAotCache.withBinary(argv, Optional.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"))).isEqualTo(argv);
    }

    @Test
    void aBareJavaIsThisJvmsOwnBinaryEvenOnceReplacedOnDisk() {
        List<String> argv = List.of("java", "-jar", "lastcall.jar");

        assertThat(StaleAotCache.withBinary(argv, Optional.of("/usr/lib/jvm/jdk-25/bin/java")))
                .containsExactly("/usr/lib/jvm/jdk-25/bin/java", "-jar", "lastcall.jar");
        assertThat(StaleAotCache.withBinary(argv, Optional.of("/usr/lib/jvm/jdk-25/bin/java (deleted)")))
                .containsExactly("/usr/lib/jvm/jdk-25/bin/java", "-jar", "lastcall.jar");
        assertThat(StaleAotCache.withBinary(argv, Optional.empty())).isEqualTo(argv);
    }
}
