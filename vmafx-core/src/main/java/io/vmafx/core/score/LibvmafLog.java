package io.vmafx.core.score;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reading libvmaf 2.x's JSON log, as the libvmaf filter and Netflix's {@code vmaf} tool write it:
 * {@code frames: [{frameNum, metrics: {name: value, ...}}]}. Both scorers use it.
 */
final class LibvmafLog {

    private LibvmafLog() {
    }

    /**
     * The per-frame values of each metric in {@code names}, frames ordered by {@code frameNum}.
     *
     * @param what names the document in messages, e.g. {@code "libvmaf's log"}
     * @throws ScoringException if the text is not such JSON, or a frame lacks a finite value of a metric
     */
    static Map<String, MetricScores> metrics(String json, List<String> names, String what) throws ScoringException {
        Map<String, Object> root;
        try {
            root = JSON.std.mapFrom(json);
        } catch (IOException | RuntimeException e) {
            throw new ScoringException(what + " is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !(root.get("frames") instanceof List<?> frames)) {
            throw new ScoringException(what + " has no \"frames\" list");
        }
        List<Map<?, ?>> ordered = new ArrayList<>(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            if (!(frames.get(i) instanceof Map<?, ?> frame) || !(frame.get("metrics") instanceof Map<?, ?>)) {
                throw new ScoringException(what + ": frame entry " + i + " has no \"metrics\"");
            }
            ordered.add(frame);
        }
        ordered.sort(Comparator.comparingDouble(f -> f.get("frameNum") instanceof Number n ? n.doubleValue() : 0));
        Map<String, MetricScores> result = new LinkedHashMap<>();
        if (ordered.isEmpty()) {
            return result;
        }
        for (String name : names) {
            List<Double> values = new ArrayList<>(ordered.size());
            for (Map<?, ?> frame : ordered) {
                Object v = ((Map<?, ?>) frame.get("metrics")).get(name);
                if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                    throw new ScoringException("libvmaf gave no " + name + " value for frame " + frame.get("frameNum")
                            + " (" + what + "); the extractor may not work at this frame size");
                }
                values.add(n.doubleValue());
            }
            result.put(name, MetricScores.of(name, values));
        }
        return result;
    }
}
