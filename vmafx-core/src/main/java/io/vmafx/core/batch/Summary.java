package io.vmafx.core.batch;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the CSV summary keeps of one pair's result: its name and inputs, VMAF's mean, 5th percentile and minimum, the
 * mean of every other metric, the frames scored; or the error. Small, so that {@link Batch} can hold one per pair.
 */
record Summary(String pair, String reference, String distorted, Double vmafMean, Double vmafP5, Double vmafMin,
               Map<String, Double> metricMeans, Long frames, String error) {

    boolean failed() {
        return error != null;
    }

    static Summary failure(String pair, String reference, String distorted, String error) {
        return new Summary(pair, reference, distorted, null, null, null, Map.of(), null, error);
    }

    /** From a result as {@code score --json} prints it (the job API's {@code result}); a result without VMAF is an error. */
    @SuppressWarnings("unchecked")
    static Summary of(String pair, String reference, String distorted, Map<String, Object> result) {
        if (!(result.get("vmaf") instanceof Map<?, ?> vmaf)) {
            return failure(pair, reference, distorted, "the result has no vmaf score");
        }
        Map<String, Double> means = new LinkedHashMap<>();
        if (result.get("metrics") instanceof Map<?, ?> metrics) {
            metrics.forEach((name, m) -> {
                if (m instanceof Map<?, ?> mm && mm.get("mean") instanceof Number n) {
                    means.put((String) name, n.doubleValue());
                }
            });
        }
        return new Summary(pair, reference, distorted, number(vmaf, "mean"), number(vmaf, "p5"), number(vmaf, "min"), means,
                result.get("frames") instanceof Number f ? f.longValue() : null, null);
    }

    private static Double number(Map<?, ?> m, String key) {
        return m.get(key) instanceof Number n ? n.doubleValue() : null;
    }
}
