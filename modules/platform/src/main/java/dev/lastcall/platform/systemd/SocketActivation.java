package dev.lastcall.platform.systemd;

import dev.lastcall.platform.config.ConfigError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out whether systemd passed the public listener, as {@code sd_listen_fds(3)} does: {@code
 * LISTEN_PID} naming this process and {@code LISTEN_FDS=1} mean file descriptor 3; otherwise a
 * listening socket on stdin ({@code StandardInput=socket}) counts too. A predecessor's hot
 * handover ({@link Successor}) passes more, named by {@code LISTEN_FDNAMES}: {@code http},
 * {@code admin} and {@code handover}. Nothing is configured: with
 * neither, {@code http.host:http.port} is bound as usual.
 *
 * <p>When activation is indicated but the socket cannot serve HTTP (not a socket, not listening,
 * not TCP, or more than one), {@link #detect} throws a {@link ConfigError}: the process exits with
 * status 2 before anything starts, and systemd does not restart it ({@code
 * RestartPreventExitStatus=2}), instead of binding the port behind systemd's back.
 */
public final class SocketActivation {

    private static final Logger log = LoggerFactory.getLogger(SocketActivation.class);

    static final String LISTEN_PID = "LISTEN_PID";
    static final String LISTEN_FDS = "LISTEN_FDS";
    static final String LISTEN_FDNAMES = "LISTEN_FDNAMES";
    static final String HTTP = "http";
    static final String ADMIN = "admin";
    static final String HANDOVER = "handover";
    /** {@code SD_LISTEN_FDS_START}: the first descriptor systemd passes. */
    static final int FIRST_PASSED_FD = 3;
    static final int STDIN = 0;
    private static final int SOCK_SEQPACKET = 5;

    private SocketActivation() {}

    /**
     * The public listener systemd passed, or empty when {@code http.host:http.port} is to be bound.
     *
     * @throws ConfigError when systemd indicates a socket that cannot be used
     */
    public static Optional<InheritedSocket> detect(Map<String, String> environment) {
        if (!Libc.isLinux()) {
            return Optional.empty();
        }
        if (passedByListenFds(environment, ProcessHandle.current().pid())) {
            int fd = passedNames(environment).getOrDefault(HTTP, FIRST_PASSED_FD);
            String origin = "fd %d (LISTEN_FDS)".formatted(fd);
            problem(fd).ifPresent(problem -> {
                throw new ConfigError("socket activation: systemd passed %s, but it is %s".formatted(origin, problem));
            });
            return Optional.of(new InheritedSocket(fd, origin, fd == FIRST_PASSED_FD || fd == STDIN));
        }
        if (stdinIsListening()) {
            String origin = "stdin (StandardInput=socket)";
            problem(STDIN).ifPresent(problem -> {
                throw new ConfigError("socket activation: systemd passed %s, but it is %s".formatted(origin, problem));
            });
            return Optional.of(new InheritedSocket(STDIN, origin, true));
        }
        return Optional.empty();
    }

    /**
     * The admin listener, passed as {@code admin} in {@code LISTEN_FDNAMES} (by a predecessor's
     * hot handover), or empty when {@code admin.host:admin.port} is to be bound.
     */
    public static Optional<InheritedSocket> detectAdmin(Map<String, String> environment) {
        if (!Libc.isLinux() || !passedByListenFds(environment, ProcessHandle.current().pid())) {
            return Optional.empty();
        }
        Integer fd = passedNames(environment).get(ADMIN);
        if (fd == null) {
            return Optional.empty();
        }
        String origin = "fd %d (LISTEN_FDNAMES admin)".formatted(fd);
        problem(fd).ifPresent(problem -> {
            throw new ConfigError("socket activation: %s is %s".formatted(origin, problem));
        });
        return Optional.of(new InheritedSocket(fd, origin, false));
    }

    /** The descriptor a predecessor passed as {@code handover} in {@code LISTEN_FDNAMES}, if any. */
    static Optional<Integer> handoverDescriptor(Map<String, String> environment) {
        if (!Libc.isLinux() || !passedByListenFds(environment, ProcessHandle.current().pid())) {
            return Optional.empty();
        }
        return Optional.ofNullable(passedNames(environment).get(HANDOVER));
    }

    /**
     * With one socket, it is the public listener whatever its name (a socket unit names it after
     * itself). With more, {@code LISTEN_FDNAMES} must name each: {@code http}, {@code admin},
     * {@code handover}.
     */
    static Map<String, Integer> passedNames(Map<String, String> environment) {
        int count = Integer.parseInt(environment.get(LISTEN_FDS));
        if (count == 1) {
            return Map.of(HTTP, FIRST_PASSED_FD);
        }
        String[] names = environment.getOrDefault(LISTEN_FDNAMES, "").split(":", -1);
        if (names.length != count) {
            throw new ConfigError(("socket activation: LISTEN_FDS=%d, but LISTEN_FDNAMES=%s does not name each; "
                    + "Lastcall serves one listening socket: give the socket unit a single ListenStream=")
                    .formatted(count, environment.getOrDefault(LISTEN_FDNAMES, "")));
        }
        Map<String, Integer> byName = new java.util.HashMap<>();
        for (int i = 0; i < names.length; i++) {
            if (!java.util.Set.of(HTTP, ADMIN, HANDOVER).contains(names[i]) || byName.put(names[i], FIRST_PASSED_FD + i) != null) {
                throw new ConfigError("socket activation: LISTEN_FDNAMES=%s: each of http, admin, handover at most once, nothing else"
                        .formatted(environment.get(LISTEN_FDNAMES)));
            }
        }
        if (!byName.containsKey(HTTP)) {
            throw new ConfigError("socket activation: LISTEN_FDNAMES=%s names no http socket".formatted(environment.get(LISTEN_FDNAMES)));
        }
        return byName;
    }

    /**
     * Whether {@code LISTEN_PID} and {@code LISTEN_FDS} pass a socket to process {@code pid}.
     * Variables meant for another process (inherited from a parent) are ignored.
     *
     * @throws ConfigError when they name this process but pass no socket, or more than one
     */
    static boolean passedByListenFds(Map<String, String> environment, long pid) {
        String listenPid = environment.getOrDefault(LISTEN_PID, "");
        if (listenPid.isEmpty()) {
            return false;
        }
        if (!listenPid.equals(Long.toString(pid))) {
            log.info("systemd: LISTEN_PID={} is not this process ({}); ignoring LISTEN_FDS", listenPid, pid);
            return false;
        }
        String listenFds = environment.getOrDefault(LISTEN_FDS, "");
        int count;
        try {
            count = Integer.parseInt(listenFds);
        } catch (NumberFormatException e) {
            throw new ConfigError("socket activation: LISTEN_PID names this process, but LISTEN_FDS=%s is not a number of sockets"
                    .formatted(listenFds));
        }
        if (count < 1) {
            throw new ConfigError("socket activation: LISTEN_PID names this process, but LISTEN_FDS=%d passes no socket"
                    .formatted(count));
        }
        if (count > 1 && environment.getOrDefault(LISTEN_FDNAMES, "").isEmpty()) {
            throw new ConfigError(("socket activation: LISTEN_FDS=%d, but Lastcall serves one listening socket; "
                    + "give the socket unit a single ListenStream=").formatted(count));
        }
        return true;
    }

    /** Why {@code fd} cannot be the public listener, or empty when it is a listening TCP socket. */
    static Optional<String> problem(int fd) {
        try {
            int type = Libc.socketOption(fd, Libc.SO_TYPE);
            if (type != Libc.SOCK_STREAM) {
                return Optional.of(switch (type) {
                    case Libc.SOCK_DGRAM -> "a datagram socket (ListenDatagram=?); HTTP needs ListenStream=";
                    case SOCK_SEQPACKET -> "a packet socket (ListenSequentialPacket=?); HTTP needs ListenStream=";
                    default -> "a socket of type %d; HTTP needs a stream socket (ListenStream=)".formatted(type);
                });
            }
            if (Libc.socketOption(fd, Libc.SO_ACCEPTCONN) == 0) {
                return Optional.of("a stream socket that is not listening (a connection, as Accept=yes passes?); "
                        + "the socket unit needs Accept=no");
            }
            int domain = Libc.socketOption(fd, Libc.SO_DOMAIN);
            if (domain != Libc.AF_INET && domain != Libc.AF_INET6) {
                return Optional.of(domain == Libc.AF_UNIX
                        ? "a Unix socket; the public API needs a TCP address (ListenStream=host:port)"
                        : "a socket of address family %d; the public API needs TCP".formatted(domain));
            }
            return Optional.empty();
        } catch (Libc.Failure e) {
            return Optional.of(switch (e.errno()) {
                case Libc.EBADF -> "not open";
                case Libc.ENOTSOCK -> "not a socket";
                default -> "unreadable: " + e.getMessage();
            });
        }
    }

    /** Whether stdin is a listening stream socket, what {@code StandardInput=socket} passes. */
    private static boolean stdinIsListening() {
        if (!stdinMayBeSocket()) {
            return false;
        }
        try {
            return Libc.socketOption(STDIN, Libc.SO_ACCEPTCONN) != 0;
        } catch (Libc.Failure notASocket) {
            return false;
        }
    }

    /** A cheap look that spares the native call when stdin is a terminal, a pipe or /dev/null. */
    private static boolean stdinMayBeSocket() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + STDIN)).toString().startsWith("socket:");
        } catch (IOException | UnsupportedOperationException noProc) {
            return true;
        }
    }
}
