/**
 * The eBPF FUSE bypass (Java side): preflight, the probe's loader and the decision to serve a warm, complete,
 * fresh rclone VFS cache file instead of the FUSE path ({@code io.vmafx.bypass.ebpf.cache}, internal). Off unless
 * {@code VMAFX_EBPF_BYPASS=1}. Depends on the API, jackson-jr and the JDK: the decision asks the serving rclone's remote control, or runs
 * rclone itself.
 */
module io.vmafx.bypass.ebpf {
    requires io.vmafx.api;
    // Finding rclone the same way the storage modules do.
    requires io.vmafx.rclone;
    // rclone's JSON (cache metadata, lsjson): the same small reader core uses.
    requires com.fasterxml.jackson.jr.ob;
    requires com.fasterxml.jackson.core;
    provides io.vmafx.spi.bypass.BypassProvider with io.vmafx.bypass.ebpf.EbpfBypassProvider;
}
