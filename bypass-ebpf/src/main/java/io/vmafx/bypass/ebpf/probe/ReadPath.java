package io.vmafx.bypass.ebpf.probe;

/** Where the probe counts reads. The ordinals are the native side's ({@code VX_READ_*} in probe.h). */
public enum ReadPath {
    /** {@link #FENTRY} when the kernel allows it, else {@link #SYSCALL_TRACEPOINTS}; the session says why it fell back. */
    AUTO,
    /** fentry/fexit on {@code vfs_read} and {@code vfs_readv}: the file straight from the arguments. */
    FENTRY,
    /**
     * The tracepoints of {@code read}, {@code pread64}, {@code readv}, {@code preadv}, {@code preadv2}, entry and exit:
     * the file found from the descriptor. For kernels that refuse fentry/fexit programs.
     */
    SYSCALL_TRACEPOINTS
}
