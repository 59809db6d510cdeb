/**
 * The eBPF FUSE bypass (Java side): preflight, the probe's loader and the decision to serve a warm, complete,
 * fresh rclone VFS cache file instead of the FUSE path. Off unless {@code VMAFX_EBPF_BYPASS=1}.
 */
module io.vmafx.bypass.ebpf {
    requires io.vmafx.api;
    provides io.vmafx.spi.bypass.BypassProvider with io.vmafx.bypass.ebpf.EbpfBypassProvider;
}
