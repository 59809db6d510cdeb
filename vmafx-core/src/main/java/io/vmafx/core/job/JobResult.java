package io.vmafx.core.job;

import io.vmafx.core.score.MetricScores;
import io.vmafx.core.score.ScoreOptions;
import io.vmafx.core.score.VmafScores;
import java.util.LinkedHashMap;
import java.util.Map;

/** A finished job: the scores, what was asked for, how each input was read, and where the time went. */
public record JobResult(VmafScores scores, ScoreOptions options, InputReport reference, InputReport distorted,
                        long prepareMillis, long scoreMillis, long totalMillis) {

    /**
     * The result as {@code score --json} prints it (and the job API returns it): {@code vmaf} (the first model's
     * score, pooled and per frame), {@code metrics} (every other model and feature, likewise), {@code models},
     * {@code frames} (scored), {@code frame_counts}, {@code formats}, the inputs and the timings.
     */
    public Map<String, Object> toJson() {
        Map<String, Object> metrics = new LinkedHashMap<>();
        scores.metrics().forEach((name, m) -> {
            if (!name.equals("vmaf")) {
                metrics.put(name, metric(m));
            }
        });
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("reference", scores.counts().reference());
        counts.put("distorted", scores.counts().distorted());
        counts.put("compared", scores.counts().compared());
        counts.put("scored", scores.counts().scored());
        counts.put("subsample", options.subsample());
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("prepare", prepareMillis);
        timings.put("score", scoreMillis);
        timings.put("total", totalMillis);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("vmaf", metric(scores.vmaf()));
        json.put("metrics", metrics);
        json.put("models", options.models().stream().map(Object::toString).toList());
        json.put("frames", scores.frameCount());
        json.put("frame_counts", counts);
        if (scores.reference() != null && scores.distorted() != null) {
            Map<String, Object> formats = new LinkedHashMap<>();
            formats.put("reference", scores.reference().toString());
            formats.put("distorted", scores.distorted().toString());
            formats.put("scaled", scores.scaledWith() != null);
            if (scores.scaledWith() != null) {
                formats.put("scaling", scores.scaledWith().flag());
                formats.put("scaled_to", scores.reference().size());
            }
            json.put("formats", formats);
        }
        json.put("scorer", scores.scorer());
        json.put("reference", input(reference));
        json.put("distorted", input(distorted));
        json.put("timings_ms", timings);
        return json;
    }

    private static Map<String, Object> metric(MetricScores m) {
        Map<String, Object> json = m.pooled().toJson();
        json.put("per_frame", m.perFrame());
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
