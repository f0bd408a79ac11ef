package dev.lastcall.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastcall.app.ServiceProcess;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The units start java with config/jvm.options (installed as /opt/lastcall/jvm.options) and the AOT
 * cache, and the process tests and benchmarks start the jar the same way, so that what they
 * measure is what the units run.
 */
class ShippedJvmOptionsIT {

    private static final List<String> SHIPPED = List.of("/opt/lastcall/jdk/bin/java", "@/opt/lastcall/jvm.options",
            "-XX:AOTCache=/opt/lastcall/lastcall.aot", "-jar", "/opt/lastcall/lastcall.jar", "--config", "/etc/lastcall/lastcall.conf");

    @Test
    void bothUnitsStartJavaWithTheOptionsFileAndTheAotCache() {
        for (String unit : List.of("lastcall.service", "lastcall@.service")) {
            String execStart = ShippedFiles.Unit.read(unit, "8081").one("ExecStart");
            assertThat(Arrays.asList(execStart.strip().split("\\s+"))).as("ExecStart of %s", unit).isEqualTo(SHIPPED);
        }
    }

    @Test
    void theProcessTestsStartTheJarAsTheUnitsDo() {
        Path cache = Path.of("/some/lastcall.aot");
        List<String> command = ServiceProcess.builder().aotCache(cache).args("--config", "/etc/lastcall/lastcall.conf").command();

        assertThat(command).containsExactly(ServiceProcess.java(), "@" + ShippedFiles.configDir().resolve("jvm.options"),
                "-XX:AOTCache=" + cache, "-jar", ServiceProcess.jar(), "--config", "/etc/lastcall/lastcall.conf");
    }
}
