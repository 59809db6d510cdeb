package io.vmafx.core.job;

import io.vmafx.core.score.VmafScores;
import java.util.LinkedHashMap;
import java.util.Map;

/** A finished job: the scores, how each input was read, and where the time went. */
public record JobResult(VmafScores scores, InputReport reference, InputReport distorted,
                        long prepareMillis, long scoreMillis, long totalMillis) {

    /** The result as {@code score --json} prints it (and the job API returns it). */
    public Map<String, Object> toJson() {
        Map<String, Object> vmaf = new LinkedHashMap<>();
        vmaf.put("mean", scores.mean());
        vmaf.put("min", scores.min());
        vmaf.put("max", scores.max());
        vmaf.put("harmonic_mean", scores.harmonicMean());
        vmaf.put("per_frame", scores.frames());
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("prepare", prepareMillis);
        timings.put("score", scoreMillis);
        timings.put("total", totalMillis);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("vmaf", vmaf);
        json.put("frames", scores.frameCount());
        json.put("scorer", scores.scorer());
        json.put("reference", input(reference));
        json.put("distorted", input(distorted));
        json.put("timings_ms", timings);
        return json;
    }

    private static Map<String, Object> input(InputReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("uri", r.uri());
        m.put("storage", r.storage());
        m.put("location", r.location());
        m.put("bypass", r.bypass());
        if (!r.bypass()) {
            m.put("bypass_reason", r.bypassReason());
        }
        r.fuseTraffic().ifPresent(t -> {
            m.put("fuse_bytes", t.bytes());
            m.put("fuse_reads", t.reads());
        });
        return m;
    }
}
