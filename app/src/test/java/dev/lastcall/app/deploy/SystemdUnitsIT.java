package dev.lastcall.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code systemd-analyze verify} on the shipped units. Verify insists that ExecStart's program
 * exists, and the units name /opt/lastcall/jdk/bin/java, the documented install path; so the test
 * verifies copies in which that path is the JDK the build runs on, and nothing else is changed.
 */
class SystemdUnitsIT {

    private static final String SHIPPED_JAVA = "/opt/lastcall/jdk/bin/java";
    private static final List<String> UNITS = List.of("lastcall.service", "lastcall.socket", "lastcall@.service");

    @TempDir
    Path dir;

    @Test
    void theShippedUnitsVerifyCleanly() throws Exception {
        copyUnits(text -> text);

        Verification verification = verify("lastcall.service", "lastcall.socket", "lastcall@8081.service");

        assertThat(verification.output()).as("systemd-analyze verify output").isEmpty();
        assertThat(verification.exitStatus()).isZero();
    }

    @Test
    void reloadIsAHotHandoverWhoseOutcomeSystemdWaitsFor() throws Exception {
        String unit = ShippedFiles.read(ShippedFiles.systemd("lastcall.service"));

        // a plain "kill -HUP $MAINPID" would make every reload a success as soon as kill returns
        assertThat(unit).contains("\nExecReload=" + SHIPPED_JAVA + " -jar /opt/lastcall/lastcall.jar reload $MAINPID\n");
        // the successor, not the main process when it starts, sends READY=1
        assertThat(unit).contains("\nNotifyAccess=all\n").doesNotContain("\nNotifyAccess=main");
    }

    @Test
    void verifyWouldReportABrokenUnit() throws Exception {
        copyUnits(text -> text.replace("KillMode=mixed", "KillMode=gently"));

        Verification verification = verify("lastcall.service", "lastcall.socket", "lastcall@8081.service");

        assertThat(verification.output()).contains("lastcall.service", "kill mode", "gently");
    }

    private void copyUnits(UnaryOperator<String> change) throws IOException {
        String java = Jar.java();
        for (String unit : UNITS) {
            String text = ShippedFiles.read(ShippedFiles.systemd(unit));
            if (unit.endsWith(".service")) {
                assertThat(text).as("%s starts the documented JDK path", unit).contains("ExecStart=" + SHIPPED_JAVA + " ");
            }
            Files.writeString(dir.resolve(unit), change.apply(text.replace(SHIPPED_JAVA, java)));
        }
    }

    private record Verification(int exitStatus, String output) {}

    private Verification verify(String... units) throws IOException, InterruptedException {
        String analyze = Tools.require("systemd-analyze",
                "the unit files are checked with systemd-analyze verify (Debian: apt-get install systemd)");
        List<String> command = new ArrayList<>(List.of(analyze, "verify", "--man=no"));
        for (String unit : units) {
            command.add(dir.resolve(unit).toString());
        }
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("systemd-analyze finished").isTrue();
        return new Verification(process.exitValue(), output);
    }
}
