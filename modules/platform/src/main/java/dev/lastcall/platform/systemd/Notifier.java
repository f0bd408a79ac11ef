package dev.lastcall.platform.systemd;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd what the service is doing, over the datagram socket named by {@code NOTIFY_SOCKET}
 * ({@code sd_notify(3)}'s protocol). Without {@code NOTIFY_SOCKET} every method does nothing. A
 * failed send is logged once at WARN and never thrown: systemd's view of the service must not
 * stop the service.
 */
final class Notifier {

    private static final Logger log = LoggerFactory.getLogger(Notifier.class);

    static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";

    private final Optional<NotifySocket> socket;
    private final AtomicBoolean failureLogged = new AtomicBoolean();
    private final AtomicBoolean muted = new AtomicBoolean();

    private Notifier(Optional<NotifySocket> socket) {
        this.socket = socket;
    }

    /** Notifies the socket that {@code NOTIFY_SOCKET} in {@code environment} names, if any. */
    public static Notifier fromEnvironment(Map<String, String> environment) {
        String address = environment.getOrDefault(NOTIFY_SOCKET, "");
        if (address.isEmpty()) {
            return disabled();
        }
        if (!Libc.isLinux()) {
            log.warn("systemd: NOTIFY_SOCKET is set, but this is not Linux; not notifying");
            return disabled();
        }
        try {
            return new Notifier(Optional.of(NotifySocket.parse(address)));
        } catch (IllegalArgumentException e) {
            log.warn("systemd: NOTIFY_SOCKET={} cannot be used: {}; not notifying", address, e.getMessage());
            return disabled();
        }
    }

    /** A notifier that sends nothing. */
    public static Notifier disabled() {
        return new Notifier(Optional.empty());
    }

    /** Whether a service manager listens, i.e. whether the messages go anywhere. */
    public boolean enabled() {
        return socket.isPresent();
    }

    /** {@code READY=1}: start-up is complete; {@code status} is what {@code systemctl status} shows. */
    public void ready(String status) {
        send("READY=1\nSTATUS=" + oneLine(status));
    }

    /** {@code STOPPING=1}: the stop has begun. */
    public void stopping(String status) {
        send("STOPPING=1\nSTATUS=" + oneLine(status));
    }

    public void status(String status) {
        send("STATUS=" + oneLine(status));
    }

    /**
     * {@code STATUS=} and {@code EXTEND_TIMEOUT_USEC=}: the current start or stop is making
     * progress; systemd's timeout fires no earlier than {@code extension} from now, by which time
     * another message must come.
     */
    public void progress(String status, Duration extension) {
        send("STATUS=" + oneLine(status) + "\nEXTEND_TIMEOUT_USEC=" + micros(extension));
    }

    /** {@code RELOADING=1}: a reload has begun; a {@code READY=1} ends it. */
    public void reloading(String status) {
        send("RELOADING=1\nSTATUS=" + oneLine(status));
    }

    /** {@code MAINPID=}: the service's main process is {@code pid} from now on. */
    public void mainPid(long pid) {
        send("MAINPID=" + pid);
    }

    /** Sends nothing more: after a handover, this process no longer speaks for the service. */
    public void mute() {
        muted.set(true);
    }

    public void unmute() {
        muted.set(false);
    }

    /** {@code WATCHDOG=1}: the service is alive. */
    public void watchdog() {
        send("WATCHDOG=1");
    }

    private void send(String message) {
        if (socket.isEmpty() || muted.get()) {
            return;
        }
        try {
            socket.get().send(message);
        } catch (IOException | RuntimeException e) {
            if (failureLogged.compareAndSet(false, true)) {
                log.warn("systemd: cannot notify {}: {}; the service goes on, and further failures are not logged",
                        socket.get().address(), e.getMessage());
            }
        }
    }

    private static String oneLine(String status) {
        return status.replace('\n', ' ').replace('\r', ' ');
    }

    private static long micros(Duration duration) {
        return Math.max(1, duration.toNanos() / 1_000);
    }
}
