/**
 * {@code vmafx-node serve}: the node as a long-running worker behind an HTTP API (Jetty's core server).
 * {@link io.vmafx.core.serve.JobService} runs submitted jobs in a bounded number of slots with a bounded queue,
 * {@link io.vmafx.core.serve.ApiServer} answers the HTTP requests (bounding what a slow client costs),
 * {@link io.vmafx.core.serve.ApiInputPolicy} decides what a job that came over the API may read, {@link io.vmafx.core.serve.NodeMetrics} keeps
 * what {@code GET /metrics} shows, and {@link io.vmafx.core.serve.Serve} ties them to a started node and drains
 * them on shutdown.
 */
package io.vmafx.core.serve;
