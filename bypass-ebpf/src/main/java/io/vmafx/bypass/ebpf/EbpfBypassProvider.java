package io.vmafx.bypass.ebpf;

import io.vmafx.spi.Availability;
import io.vmafx.spi.NodeSettings;
import io.vmafx.spi.bypass.BypassDecision;
import io.vmafx.spi.bypass.BypassException;
import io.vmafx.spi.bypass.BypassProvider;
import io.vmafx.spi.storage.PreparedInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The eBPF bypass. Issue A ships its preflight; the probe (bypass-ebpf-native) and the cache decision are
 * issue C, so until then it reports itself unusable and every offer declines.
 */
public final class EbpfBypassProvider implements BypassProvider {

    public static final String NAME = "ebpf";
    static final String NOT_BUILT = "the native probe is not built yet (issue C)";

    private final AtomicLong offers = new AtomicLong();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Availability availability(NodeSettings settings) {
        List<String> reasons = new ArrayList<>(new Preflight().failures());
        reasons.add(NOT_BUILT);
        return Availability.unusable(String.join("; ", reasons));
    }

    @Override
    public void start(NodeSettings settings) throws BypassException {
        throw new BypassException(availability(settings).reason());
    }

    @Override
    public BypassDecision offer(PreparedInput input) {
        offers.incrementAndGet();
        return BypassDecision.decline(NOT_BUILT);
    }

    @Override
    public Map<String, Number> counters() {
        return Map.of("offers", offers.get(), "bypassed", 0L);
    }

    @Override
    public void close() {
    }
}
