package dev.lastcall.platform.http.internal;

/**
 * Where the admin listener comes from: {@code admin.host:admin.port} bound here, or a socket a
 * hot handover's predecessor passed.
 *
 * @param passed the passed socket, or {@link ListenerSource#BIND}
 * @param port the passed socket's port (its channel reports another: see {@code InheritedSocket})
 * @param origin where it was passed, for the log
 */
public record AdminListenerSource(ListenerSource passed, int port, String origin) {

    /** Binds {@code admin.host:admin.port} as usual. */
    public static final AdminListenerSource BIND = new AdminListenerSource(ListenerSource.BIND, -1, "");

    boolean inherited() {
        return passed != ListenerSource.BIND;
    }
}
