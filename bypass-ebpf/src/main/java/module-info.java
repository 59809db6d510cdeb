/**
 * The eBPF FUSE bypass (Java side): preflight, the probe's loader and the decision to serve a warm, complete,
 * fresh rclone VFS cache file instead of the FUSE path ({@code io.vmafx.bypass.ebpf.cache}, internal). Off unless
 * {@code VMAFX_EBPF_BYPASS=1}. Depends on the API and the JDK alone: the decision runs rclone itself.
 */
module io.vmafx.bypass.ebpf {
    requires io.vmafx.api;
    provides io.vmafx.spi.bypass.BypassProvider with io.vmafx.bypass.ebpf.EbpfBypassProvider;
}
