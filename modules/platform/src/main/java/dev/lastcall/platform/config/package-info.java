/**
 * Configuration: the defaults shipped in the jar ({@code config/lastcall.conf}), then an optional
 * {@code --config FILE}, then {@code LASTCALL_*} environment variables, merged and validated before
 * anything starts. Modules read typed records from {@link dev.lastcall.platform.config.Settings}.
 */
@NullMarked
package dev.lastcall.platform.config;

import org.jspecify.annotations.NullMarked;
