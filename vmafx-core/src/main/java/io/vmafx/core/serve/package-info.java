/**
 * {@code vmafx-node serve}: the node as a long-running worker behind an HTTP API ({@code jdk.httpserver}).
 * {@link io.vmafx.core.serve.JobService} runs submitted jobs in a bounded number of slots with a bounded queue,
 * {@link io.vmafx.core.serve.ApiServer} answers the HTTP requests, {@link io.vmafx.core.serve.NodeMetrics} keeps
 * what {@code GET /metrics} shows, and {@link io.vmafx.core.serve.Serve} ties them to a started node and drains
 * them on shutdown.
 */
package io.vmafx.core.serve;
