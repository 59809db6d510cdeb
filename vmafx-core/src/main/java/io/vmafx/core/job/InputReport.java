package io.vmafx.core.job;

/**
 * How one input was read: the URI as given, the storage provider, what ffmpeg opened (without credentials),
 * and whether the bypass served it (and if not, why).
 */
public record InputReport(String uri, String storage, String location, boolean bypass, String bypassReason) {
}
