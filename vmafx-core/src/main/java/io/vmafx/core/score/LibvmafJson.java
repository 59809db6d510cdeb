package io.vmafx.core.score;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Reading libvmaf's JSON output, common to libvmaf 1.x (ffmpeg's filter log) and 2.x (the {@code vmaf} tool):
 * both list {@code frames: [{frameNum, metrics: {..., vmaf}}]}. Used by both scorers' parsers.
 */
final class LibvmafJson {

    private LibvmafJson() {
    }

    /**
     * The top-level object of {@code json}.
     *
     * @param what names the document in messages, e.g. {@code "libvmaf's log"}
     * @throws ScoringException if {@code json} is not a JSON object
     */
    static Map<String, Object> parse(String json, String what) throws ScoringException {
        Map<String, Object> root;
        try {
            root = JSON.std.mapFrom(json);
        } catch (IOException | RuntimeException e) {
            throw new ScoringException(what + " is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null) {
            throw new ScoringException(what + " is empty");
        }
        return root;
    }

    /**
     * Per-frame {@code metrics.vmaf}, ordered by {@code frameNum} (list order when it is missing); empty when
     * the list is.
     *
     * @throws ScoringException if there is no {@code frames} list or a frame has no finite VMAF score
     */
    static List<Double> frameScores(Map<String, Object> root, String what) throws ScoringException {
        if (!(root.get("frames") instanceof List<?> frames)) {
            throw new ScoringException(what + " has no \"frames\" list");
        }
        List<double[]> numbered = new ArrayList<>(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            if (!(frames.get(i) instanceof Map<?, ?> frame) || !(frame.get("metrics") instanceof Map<?, ?> metrics)) {
                throw new ScoringException(what + ": frame entry " + i + " has no \"metrics\"");
            }
            double frameNum = frame.get("frameNum") instanceof Number n ? n.doubleValue() : i;
            if (!(metrics.get("vmaf") instanceof Number vmaf) || !Double.isFinite(vmaf.doubleValue())) {
                throw new ScoringException(what + ": frame " + (long) frameNum + " has no VMAF score");
            }
            numbered.add(new double[] {frameNum, vmaf.doubleValue()});
        }
        numbered.sort(Comparator.comparingDouble(a -> a[0]));
        List<Double> scores = new ArrayList<>(numbered.size());
        numbered.forEach(a -> scores.add(a[1]));
        return scores;
    }
}
