/**
 * The context of the request a piece of work runs for: its {@link
 * dev.lastcall.platform.context.RequestId} and, when the client sent a W3C {@code traceparent}, the
 * request's span in that trace ({@link dev.lastcall.platform.context.TraceParent}). The HTTP server
 * binds a {@link dev.lastcall.platform.context.RequestContext} for each request, so the logging MDC
 * of every line the request causes carries them, and the outbox stores the trace with each event it
 * publishes, so a webhook delivery continues the request's trace. It depends on nothing else in the
 * platform: every other package may use it.
 */
@NullMarked
package dev.lastcall.platform.context;

import org.jspecify.annotations.NullMarked;
