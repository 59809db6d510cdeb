/**
 * What the rclone-backed storage providers share: running rclone as a child process the node owns, knowing
 * when it is ready, and pooling one process per remote root. A library of ours, not an SPI: only the
 * node's own storage modules read it.
 */
module io.vmafx.rclone {
    requires io.vmafx.api;
    exports io.vmafx.rclone to io.vmafx.storage.httpserve, io.vmafx.storage.fuse, io.vmafx.bypass.ebpf;
}
