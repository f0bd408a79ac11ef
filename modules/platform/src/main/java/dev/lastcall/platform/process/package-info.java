/**
 * The process: start, then the one shutdown path: signal handling, the JVM shutdown hook that drives the lifecycle within
 * {@code shutdown.timeout}, the watchdog that halts a hung stop, and the documented exit statuses.
 */
@NullMarked
package dev.lastcall.platform.process;

import org.jspecify.annotations.NullMarked;
