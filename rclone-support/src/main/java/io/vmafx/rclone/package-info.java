/**
 * Shared by the {@code http-serve} and {@code mount} storage providers: {@link io.vmafx.rclone.ChildProcess}
 * (a child process whose output is always drained and which is always stopped), {@link io.vmafx.rclone.RcloneTool}
 * (which rclone to run, with which config), {@link io.vmafx.rclone.LeasePool} (one process per remote root,
 * shared by concurrent jobs, stopped when idle), {@link io.vmafx.rclone.PrepareCounters},
 * {@link io.vmafx.rclone.Deadline}, and what keeps a warm process honest about objects that changed on the remote
 * after it listed their directory: {@link io.vmafx.rclone.DirCache} ({@code --dir-cache-time}),
 * {@link io.vmafx.rclone.RemoteStat} ({@code rclone lsjson --stat}) and {@link io.vmafx.rclone.WarmMiss}.
 */
package io.vmafx.rclone;
