/**
 * systemd, spoken natively through Java's FFM API (no JNA, no subprocess): {@link
 * dev.lastcall.platform.systemd.Notifier} sends {@code sd_notify} messages (READY, STOPPING,
 * STATUS, EXTEND_TIMEOUT_USEC, WATCHDOG) to {@code NOTIFY_SOCKET}; {@link
 * dev.lastcall.platform.systemd.SystemdNotifications} drives them from the lifecycle; {@link
 * dev.lastcall.platform.systemd.SocketActivation} detects a listening socket passed by systemd
 * ({@code LISTEN_FDS} on fd 3, or {@code StandardInput=socket}) and hands it to Jetty. A hot
 * handover speaks the same protocol: {@link dev.lastcall.platform.systemd.Successor} starts the
 * next process with this one's listening sockets ({@code LISTEN_FDNAMES=http:admin:handover}),
 * and {@link dev.lastcall.platform.systemd.Predecessor} is its side of the handover channel. {@link
 * dev.lastcall.platform.systemd.HandshakeGate} lets a listener bound without systemd close without
 * resetting a handshake under way (a socket filter, through the same FFM calls). Without
 * systemd, all of it stays out of the way. Linux only; the JVM needs {@code
 * --enable-native-access=ALL-UNNAMED} (the jar's manifest says so for {@code java -jar}).
 */
@NullMarked
package dev.lastcall.platform.systemd;

import org.jspecify.annotations.NullMarked;
