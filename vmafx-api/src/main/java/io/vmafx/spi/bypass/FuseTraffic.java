package io.vmafx.spi.bypass;

/**
 * What the probe saw go through FUSE for one input while a job ran: bytes read and read calls. A bypassed
 * input shows about 0; one read through the mount about its size.
 *
 * @param bytes bytes returned by reads of the input's FUSE file
 * @param reads read calls on it
 */
public record FuseTraffic(long bytes, long reads) {
    public FuseTraffic {
        if (bytes < 0 || reads < 0) {
            throw new IllegalArgumentException("negative traffic: " + bytes + " bytes, " + reads + " reads");
        }
    }
}
