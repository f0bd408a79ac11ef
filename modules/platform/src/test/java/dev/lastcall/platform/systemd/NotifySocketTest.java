package dev.lastcall.platform.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NotifySocketTest {

    @Test
    void aPathKeepsItsTerminatingNul() {
        NotifySocket socket = NotifySocket.parse("/run/systemd/notify");

        assertThat(socket.sunPath()).isEqualTo("/run/systemd/notify\0".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anAbstractNameStartsWithNulInsteadOfTheAtAndHasNoTerminator() {
        NotifySocket socket = NotifySocket.parse("@lastcall/notify");

        assertThat(socket.sunPath()).isEqualTo("\0lastcall/notify".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void refusesRelativePathsAndOtherSchemes() {
        assertThatIllegalArgumentException().isThrownBy(() -> NotifySocket.parse("run/notify"))
                .withMessageContaining("neither an absolute path nor an abstract name");
        assertThatIllegalArgumentException().isThrownBy(() -> NotifySocket.parse("@"));
        assertThatIllegalArgumentException().isThrownBy(() -> NotifySocket.parse("vsock:2:1234"));
    }

    @Test
    void refusesAddressesLongerThanSunPath() {
        String longest = "/" + "a".repeat(NotifySocket.SUN_PATH_SIZE - 2);

        assertThat(NotifySocket.parse(longest).sunPath()).hasSize(NotifySocket.SUN_PATH_SIZE);
        assertThatIllegalArgumentException().isThrownBy(() -> NotifySocket.parse(longest + "a"))
                .withMessageContaining("longer than a Unix socket address");
        assertThatIllegalArgumentException().isThrownBy(() -> NotifySocket.parse("@" + "a".repeat(NotifySocket.SUN_PATH_SIZE)));
    }
}
