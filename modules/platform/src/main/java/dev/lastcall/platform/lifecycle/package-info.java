/**
 * The ordered lifecycle: components register a {@link dev.lastcall.platform.lifecycle.Managed}
 * with a {@link dev.lastcall.platform.lifecycle.Phase}; one {@link
 * dev.lastcall.platform.lifecycle.Lifecycle} starts phases in order and stops what started in
 * reverse, each stop bounded by a {@link dev.lastcall.platform.lifecycle.Deadline}.
 */
@NullMarked
package dev.lastcall.platform.lifecycle;

import org.jspecify.annotations.NullMarked;
