/**
 * Shared by the {@code http-serve} and {@code mount} storage providers: {@link io.vmafx.rclone.ChildProcess}
 * (a child process whose output is always drained and which is always stopped), {@link io.vmafx.rclone.RcloneTool}
 * (which rclone to run, with which config), {@link io.vmafx.rclone.LeasePool} (one process per remote root,
 * shared by concurrent jobs, stopped when idle), {@link io.vmafx.rclone.PrepareCounters} and
 * {@link io.vmafx.rclone.Deadline}.
 */
package io.vmafx.rclone;
