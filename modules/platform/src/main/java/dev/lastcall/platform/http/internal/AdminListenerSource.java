package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.systemd.InheritedSocket;
import java.util.Optional;

/** Where the admin listener comes from: {@code admin.host:admin.port} bound here, or a socket a predecessor passed. */
public record AdminListenerSource(Optional<InheritedSocket> inherited) {

    /** Binds {@code admin.host:admin.port} as usual. */
    public static final AdminListenerSource BIND = new AdminListenerSource(Optional.empty());
}
