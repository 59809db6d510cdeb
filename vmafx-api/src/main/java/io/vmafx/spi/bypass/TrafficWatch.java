package io.vmafx.spi.bypass;

/**
 * Counts FUSE reads of one input from the moment {@link BypassProvider#watch} returned it. The executor opens
 * one per input before ffmpeg starts and reads {@link #traffic()} once ffmpeg is done; {@link #close()} stops
 * counting. Thread-safe.
 */
public interface TrafficWatch extends AutoCloseable {

    /** The reads seen since the watch began. */
    FuseTraffic traffic();

    @Override
    void close();
}
