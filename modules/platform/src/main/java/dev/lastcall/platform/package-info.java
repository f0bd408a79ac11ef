/**
 * The kernel every Lastcall module builds on. It owns the process: configuration, the ordered
 * lifecycle and its one shutdown path, the HTTP server and its drain, the admin health port, and
 * (as they arrive) the database, transactions, scheduling, the outbox and systemd. Business
 * modules see small interfaces from here and never touch Jetty or the pool directly.
 */
@NullMarked
package dev.lastcall.platform;

import org.jspecify.annotations.NullMarked;
