/**
 * Metrics for {@code GET /metrics}: counters, gauges and histograms, written in the Prometheus text exposition
 * format (version 0.0.4).
 *
 * <p>Written here rather than taken from a library because the node is linked into jlink images, which accept
 * only jars with a real module descriptor: Prometheus' {@code simpleclient} 0.16 is an automatic module, and its
 * 1.x successor is a set of several jars (core, model, exposition formats, a shaded protobuf) for what is here
 * a few hundred lines: families with labels, cumulative {@code le} buckets, {@code _sum} and {@code _count},
 * {@code HELP}/{@code TYPE} lines and label-value escaping. Thread-safe; recording never blocks a job.
 */
package io.vmafx.core.metrics;
