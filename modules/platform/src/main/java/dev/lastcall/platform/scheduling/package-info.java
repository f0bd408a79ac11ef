/**
 * Background jobs: a module registers a {@link dev.lastcall.platform.scheduling.Job} with {@link
 * dev.lastcall.platform.scheduling.Jobs}; the {@link dev.lastcall.platform.scheduling.internal.Scheduler}
 * runs each at a fixed delay (with jitter), never overlapping itself, as part of the lifecycle's
 * WORKERS phase. On stop no new run starts; a running one finishes within its deadline or is
 * interrupted, and its transaction rolls back so the next process redoes the work.
 */
@NullMarked
package dev.lastcall.platform.scheduling;

import org.jspecify.annotations.NullMarked;
