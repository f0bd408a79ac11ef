/**
 * The transactional outbox: {@link dev.lastcall.platform.outbox.Outbox#publish} writes an event in
 * the caller's transaction; consumers registered with {@link
 * dev.lastcall.platform.outbox.OutboxConsumers} take the events meant for them with {@link
 * dev.lastcall.platform.outbox.Outbox#take}, in their own transaction, so an event is neither lost
 * nor taken twice, across restarts and across processes running side by side. Each event's type
 * and payload are defined here once ({@link dev.lastcall.platform.outbox.TransferCreated}), so the
 * module that publishes it and the modules that consume it agree without depending on each other.
 */
@NullMarked
package dev.lastcall.platform.outbox;

import org.jspecify.annotations.NullMarked;
