package dev.lastcall.platform.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lastcall.platform.config.ConfigError;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketActivationTest {

    private static final long PID = ProcessHandle.current().pid();

    @TempDir
    Path dir;

    @Test
    void bindsAsUsualWithoutSystemd() {
        // the test JVM's stdin is a pipe from the build tool, not a socket
        assertThat(SocketActivation.detect(Map.of())).isEmpty();
    }

    @Test
    void ignoresListenFdsMeantForAnotherProcess() {
        Map<String, String> inherited = Map.of("LISTEN_PID", Long.toString(PID + 1), "LISTEN_FDS", "1");

        assertThat(SocketActivation.passedByListenFds(inherited, PID)).isFalse();
        assertThat(SocketActivation.detect(inherited)).isEmpty();
    }

    @Test
    void takesFdThreeWhenListenPidNamesThisProcess() {
        assertThat(SocketActivation.passedByListenFds(Map.of("LISTEN_PID", "77", "LISTEN_FDS", "1"), 77)).isTrue();
        assertThat(SocketActivation.passedByListenFds(Map.of("LISTEN_FDS", "1"), 77)).isFalse();
    }

    @Test
    void refusesListenFdsThatPassNoSocketOrMoreThanOne() {
        assertThatThrownBy(() -> SocketActivation.passedByListenFds(Map.of("LISTEN_PID", "77", "LISTEN_FDS", "0"), 77))
                .isInstanceOf(ConfigError.class).hasMessageContaining("LISTEN_FDS=0 passes no socket");
        assertThatThrownBy(() -> SocketActivation.passedByListenFds(Map.of("LISTEN_PID", "77"), 77))
                .isInstanceOf(ConfigError.class).hasMessageContaining("LISTEN_FDS= is not a number");
        assertThatThrownBy(() -> SocketActivation.passedByListenFds(Map.of("LISTEN_PID", "77", "LISTEN_FDS", "2"), 77))
                .isInstanceOf(ConfigError.class).hasMessageContaining("serves one listening socket");
    }

    @Test
    void aSingleSocketIsThePublicListenerWhateverItsName() {
        // a socket unit names its socket after itself unless FileDescriptorName= says otherwise
        assertThat(SocketActivation.passedNames(Map.of("LISTEN_FDS", "1", "LISTEN_FDNAMES", "lastcall.socket")))
                .isEqualTo(Map.of("http", 3));
    }

    @Test
    void aHandoverNamesTheHttpAdminAndHandoverDescriptors() {
        Map<String, String> handover = Map.of("LISTEN_PID", "77", "LISTEN_FDS", "3", "LISTEN_FDNAMES", "http:admin:handover");

        assertThat(SocketActivation.passedByListenFds(handover, 77)).isTrue();
        assertThat(SocketActivation.passedNames(handover)).isEqualTo(Map.of("http", 3, "admin", 4, "handover", 5));
    }

    @Test
    void refusesNamesThatDoNotMatchTheDescriptors() {
        assertThatThrownBy(() -> SocketActivation.passedNames(Map.of("LISTEN_FDS", "2", "LISTEN_FDNAMES", "http")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("does not name each");
        assertThatThrownBy(() -> SocketActivation.passedNames(Map.of("LISTEN_FDS", "2", "LISTEN_FDNAMES", "http:metrics")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("each of http, admin, handover at most once");
        assertThatThrownBy(() -> SocketActivation.passedNames(Map.of("LISTEN_FDS", "2", "LISTEN_FDNAMES", "admin:handover")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("names no http socket");
    }

    @Test
    void acceptsOnlyAListeningTcpSocket() {
        int listening = NativeSockets.socket(NativeSockets.AF_INET, NativeSockets.SOCK_STREAM);
        int bound = NativeSockets.socket(NativeSockets.AF_INET, NativeSockets.SOCK_STREAM);
        int datagram = NativeSockets.socket(NativeSockets.AF_INET, NativeSockets.SOCK_DGRAM);
        int unix = NativeSockets.socket(NativeSockets.AF_UNIX, NativeSockets.SOCK_STREAM);
        try {
            NativeSockets.bindLoopback(listening);
            NativeSockets.listen(listening);
            NativeSockets.bindLoopback(bound);
            NativeSockets.bindUnix(unix, dir.resolve(UUID.randomUUID() + ".sock").toString(), false);
            NativeSockets.listen(unix);

            assertThat(SocketActivation.problem(listening)).isEmpty();
            assertThat(SocketActivation.problem(bound)).get().asString().contains("not listening").contains("Accept=no");
            assertThat(SocketActivation.problem(datagram)).get().asString().contains("datagram socket");
            assertThat(SocketActivation.problem(unix)).get().asString().contains("Unix socket");
        } finally {
            NativeSockets.close(listening);
            NativeSockets.close(bound);
            NativeSockets.close(datagram);
            NativeSockets.close(unix);
        }
        assertThat(SocketActivation.problem(listening)).contains("not open");
    }
}
