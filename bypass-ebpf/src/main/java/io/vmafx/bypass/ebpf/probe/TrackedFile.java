package io.vmafx.bypass.ebpf.probe;

/**
 * A descriptor that a process opened under the prefix and has not closed (as far as the probe saw: a descriptor
 * closed by exit, exec with O_CLOEXEC or close_range is dropped only when the tracking table evicts it).
 *
 * @param pid        the process
 * @param fd         the descriptor
 * @param tid        the thread that opened it
 * @param file       st_dev/st_ino of the file
 * @param fuse       whether it is on FUSE
 * @param fsMagic    the file system's superblock magic
 * @param openedNanos CLOCK_MONOTONIC time of the open
 */
public record TrackedFile(int pid, int fd, int tid, FileKey file, boolean fuse, long fsMagic, long openedNanos) {
}
