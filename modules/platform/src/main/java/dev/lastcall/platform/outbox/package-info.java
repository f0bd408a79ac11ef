/**
 * The transactional outbox: {@link dev.lastcall.platform.outbox.Outbox#publish} writes an event in
 * the caller's transaction; consumers registered with {@link
 * dev.lastcall.platform.outbox.OutboxConsumers} take the events meant for them with {@link
 * dev.lastcall.platform.outbox.Outbox#take}, in their own transaction, so an event is neither lost
 * nor taken twice, across restarts and across processes running side by side.
 */
@NullMarked
package dev.lastcall.platform.outbox;

import org.jspecify.annotations.NullMarked;
