/**
 * Metrics: the one Prometheus registry the platform binds (also as Micrometer's {@code
 * MeterRegistry}, which every module may use directly), the {@code metrics.enabled} setting, and
 * the JVM's and the process's own meters. What each component measures it registers itself; the
 * README's "Metrics" section lists every meter.
 */
@NullMarked
package dev.lastcall.platform.metrics;

import org.jspecify.annotations.NullMarked;
