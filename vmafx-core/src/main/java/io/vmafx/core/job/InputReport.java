package io.vmafx.core.job;

import io.vmafx.spi.bypass.FuseTraffic;
import java.util.Optional;

/**
 * How one input was read: the URI as given, the storage provider, what ffmpeg opened (without credentials),
 * whether the bypass served it (and if not, why), and what the probe saw go through FUSE during the job
 * (empty when no probe observed it).
 */
public record InputReport(String uri, String storage, String location, boolean bypass, String bypassReason,
                          Optional<FuseTraffic> fuseTraffic) {
}
