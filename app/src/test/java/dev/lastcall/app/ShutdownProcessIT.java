package dev.lastcall.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lastcall.platform.testing.RawHttp;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fat jar as a real process, stopped with real signals: DESIGN.md's shutdown steps 1, 2, 3 and 6. */
class ShutdownProcessIT {

    private static final Duration EXIT = Duration.ofSeconds(30);

    /** One state directory for the class, so the embedded database is initialised once. */
    @TempDir
    static Path state;

    @Test
    void becomesReadyAndExitsZeroWithSummaryOnSigterm() throws Exception {
        try (ServiceProcess service = ServiceProcess.builder().stateDir(state).start().awaitReady()) {
            RawHttp.Response ready = RawHttp.get(service.adminPort(), "/health/ready");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.body()).contains("\"status\":\"ready\"").contains("\"state\":\"RUNNING\"");
            assertThat(RawHttp.get(service.adminPort(), "/health/live").status()).isEqualTo(200);

            service.signal("TERM");

            assertThat(service.awaitExit(EXIT)).isEqualTo(0);
            assertThat(service.output()).containsPattern("stopped in [0-9.]+s: http [0-9.]+s complete \\(\\d+ requests drained, 0 cut\\).*; exit 0");
        }
    }

    @Test
    void duringTheDrainDelayServesWithConnectionCloseWhileReadinessSaysDraining() throws Exception {
        try (ServiceProcess service = ServiceProcess.builder().stateDir(state)
                .env("LASTCALL_HTTP_DRAIN_DELAY", "4s").start().awaitReady()) {
            RawHttp.Response before = RawHttp.get(service.httpPort(), "/nothing-here");
            assertThat(before.header("Connection")).isNull();

            service.signal("TERM");
            service.awaitLine("drain delay", Duration.ofSeconds(5));

            RawHttp.Response during = RawHttp.get(service.httpPort(), "/nothing-here");
            assertThat(during.status()).isEqualTo(404);
            assertThat(during.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(during.header("Connection")).isEqualTo("close");
            RawHttp.Response readiness = RawHttp.get(service.adminPort(), "/health/ready");
            assertThat(readiness.status()).isEqualTo(503);
            assertThat(readiness.body()).contains("\"status\":\"draining\"").contains("\"inFlight\":");
            assertThat(RawHttp.get(service.adminPort(), "/health/live").status()).isEqualTo(200);

            assertThat(service.awaitExit(EXIT)).isEqualTo(0);
        }
    }

    @Test
    void aRequestInFlightAtSigtermCompletesAndNewConnectionsAreRefused() throws Exception {
        try (ServiceProcess service = ServiceProcess.builder().stateDir(state).withTestExtension()
                .env("LASTCALL_HTTP_IDLE_TIMEOUT", "10s").start().awaitReady();
                RawHttp slow = RawHttp.open(service.httpPort())) {
            int chunks = 4;
            slow.send("POST /test/echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: " + chunks * 10 + "\r\n\r\n");
            slow.send("0123456789");
            await().until(() -> RawHttp.get(service.adminPort(), "/health/ready").body().contains("\"inFlight\":1"));

            service.signal("TERM");
            service.awaitLine("listener closed", Duration.ofSeconds(5));
            // A gap longer than Jetty's default 1 s shutdown idle timeout between body chunks.
            for (int i = 1; i < chunks; i++) {
                Thread.sleep(1_500);
                assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress("127.0.0.1", service.httpPort()), 2_000))
                        .isInstanceOf(ConnectException.class);
                slow.send("0123456789");
            }

            RawHttp.Response response = slow.read();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"received\":40}");
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(service.awaitExit(EXIT)).isEqualTo(0);
            assertThat(service.output()).containsPattern("http [0-9.]+s complete \\(1 requests drained, 0 cut\\).*; exit 0");
        }
    }

    @Test
    void aRequestThatOutlivesTheStopTimeoutIsCutAndTheExitStatusSaysSo() throws Exception {
        try (ServiceProcess service = ServiceProcess.builder().stateDir(state).withTestExtension()
                .env("LASTCALL_HTTP_STOP_TIMEOUT", "1s").start().awaitReady();
                RawHttp slow = RawHttp.open(service.httpPort())) {
            slow.send("POST /test/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n0123456789");
            await().until(() -> RawHttp.get(service.adminPort(), "/health/ready").body().contains("\"inFlight\":1"));

            service.signal("TERM");

            assertThat(service.awaitExit(EXIT)).isEqualTo(4);
            assertThat(service.output()).containsPattern("http [0-9.]+s cut \\(0 requests drained, 1 cut\\).*; exit 4");
        }
    }

    @Test
    void aSecondSigtermIsLoggedAndChangesNothing() throws Exception {
        try (ServiceProcess service = ServiceProcess.builder().stateDir(state)
                .env("LASTCALL_HTTP_DRAIN_DELAY", "2s").start().awaitReady()) {
            service.signal("TERM");
            service.awaitLine("drain delay", Duration.ofSeconds(5));
            service.signal("TERM");

            service.awaitLine("SIGTERM received during the stop .*ignored", Duration.ofSeconds(5));
            assertThat(service.awaitExit(EXIT)).isEqualTo(0);
        }
    }

    @Test
    void aSecondCtrlCHaltsAtOnce() throws Exception {
        try (ServiceProcess service = ServiceProcess.builder().stateDir(state)
                .env("LASTCALL_HTTP_DRAIN_DELAY", "20s").env("LASTCALL_SHUTDOWN_TIMEOUT", "60s").start().awaitReady()) {
            service.signal("INT");
            service.awaitLine("drain delay", Duration.ofSeconds(5));
            service.signal("INT");

            assertThat(service.awaitExit(Duration.ofSeconds(5))).isEqualTo(130);
            assertThat(service.output()).contains("SIGINT received again during the stop: halting now");
        }
    }

    @Test
    void aStopThatMissesItsDeadlineMovesOnAndExitsWithTheCutStatus() throws Exception {
        try (ServiceProcess service = ServiceProcess.builder().stateDir(state).testComponent("hang-stop")
                .env("LASTCALL_HTTP_STOP_TIMEOUT", "1s").env("LASTCALL_DB_STOP_TIMEOUT", "1s").env("LASTCALL_SHUTDOWN_TIMEOUT", "2s").start().awaitReady()) {
            service.signal("TERM");

            assertThat(service.awaitExit(EXIT)).isEqualTo(4);
            assertThat(service.output())
                    .contains("hang-stop: stop missed its deadline")
                    .containsPattern("http [0-9.]+s complete .*hang-stop [0-9.]+s missed_deadline.*; exit 4");
        }
    }

    @Test
    void aStopThatHangsPastItsBudgetDumpsThreadsAndHalts() throws Exception {
        try (ServiceProcess service = ServiceProcess.builder().stateDir(state).testComponent("hang-start")
                .env("LASTCALL_HTTP_STOP_TIMEOUT", "1s").env("LASTCALL_DB_STOP_TIMEOUT", "1s").env("LASTCALL_SHUTDOWN_TIMEOUT", "2s").start()) {
            service.awaitLine("hang-start: starting", Duration.ofSeconds(30));

            service.signal("TERM");

            assertThat(service.awaitExit(EXIT)).isEqualTo(5);
            assertThat(service.output())
                    .contains("past shutdown.timeout: halting")
                    .contains("MisbehavingComponent$HangingStart.start");
        }
    }

    @Test
    void aSignalDuringStartStopsWhatAlreadyStartedInReverse() throws Exception {
        try (ServiceProcess service = ServiceProcess.builder().stateDir(state).testComponent("slow-start").start()) {
            service.awaitLine("slow-start: starting", Duration.ofSeconds(30));

            service.signal("TERM");

            assertThat(service.awaitExit(EXIT)).isEqualTo(0);
            assertThat(service.output())
                    .contains("start aborted by a stop request")
                    .contains("slow-start: stopping")
                    .doesNotContain("http: starting")
                    .doesNotContain("ready in");
            String output = service.output();
            assertThat(output.indexOf("slow-start: stopping"))
                    .as("the component started last (phase WORKERS) stops before the one started first (DATABASE)")
                    .isGreaterThanOrEqualTo(0)
                    .isLessThan(output.indexOf("database: stopping"));
        }
    }

    @Test
    void aBadConfigValueExitsTwoNamingTheKeyAndItsOrigin() throws Exception {
        try (ServiceProcess service = ServiceProcess.builder().stateDir(state).env("LASTCALL_HTTP_STOP_TIMEOUT", "soon").start()) {
            assertThat(service.awaitExit(EXIT)).isEqualTo(2);
            assertThat(service.output()).contains("http.stopTimeout").contains("environment variable LASTCALL_HTTP_STOP_TIMEOUT");
        }
    }

    @Test
    void anUnknownKeyInTheConfigFileExitsTwoNamingKeyAndFile() throws Exception {
        Path file = Files.writeString(state.resolve("bad.conf"), "http.port = 0\nhttp.prot = 8080\n");
        try (ServiceProcess service = ServiceProcess.builder().stateDir(state).args("--config", file.toString()).start()) {
            assertThat(service.awaitExit(EXIT)).isEqualTo(2);
            assertThat(service.output()).contains("http.prot").contains("bad.conf: 2").contains("unknown key");
        }
    }

    @Test
    void anUnknownArgumentPrintsUsageAndExitsTwo() throws Exception {
        try (ServiceProcess service = ServiceProcess.builder().stateDir(state).args("--frobnicate").start()) {
            assertThat(service.awaitExit(EXIT)).isEqualTo(2);
            assertThat(service.output()).contains("unknown argument: --frobnicate").contains("usage: java -jar lastcall.jar");
        }
    }

    @Test
    void aPortInUseFailsTheStartWithOneLineAndStatusOne() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                ServiceProcess service = ServiceProcess.builder().stateDir(state)
                        .env("LASTCALL_HTTP_PORT", Integer.toString(taken.getLocalPort())).start()) {
            assertThat(service.awaitExit(EXIT)).isEqualTo(1);
            assertThat(service.output()).contains("start failed: ").contains(Integer.toString(taken.getLocalPort()));
        }
    }

    @Test
    void theShippedJarContainsNothingTestOnly() throws IOException {
        try (JarFile jar = new JarFile(ServiceProcess.jar())) {
            assertThat(jar.getEntry("META-INF/services/dev.lastcall.app.Extension")).isNull();
            assertThat(jar.stream().map(e -> e.getName()).filter(n -> n.startsWith("dev/lastcall/app/testing/"))).isEmpty();
        }
    }
}
