package io.vmafx.core.cli;

import io.vmafx.core.job.InputReport;
import io.vmafx.core.job.JobResult;
import io.vmafx.core.score.MetricScores;
import io.vmafx.core.score.Pooled;
import io.vmafx.core.score.VmafScores;
import java.util.Locale;
import java.util.Map;

/** The human-readable text of a result: the score, every other metric pooled, frames, formats, inputs, time. */
final class Reports {

    private Reports() {
    }

    static String text(JobResult r) {
        VmafScores s = r.scores();
        StringBuilder out = new StringBuilder();
        Pooled v = s.vmaf().pooled();
        out.append(String.format(Locale.ROOT, "VMAF %.3f  (harmonic mean %.3f, min %.3f, max %.3f, 1%% low %.3f, 5%% low"
                        + " %.3f; %d frames; model %s; scorer %s)%n", v.mean(), v.harmonicMean(), v.min(), v.max(), v.p1(),
                v.p5(), s.frameCount(), r.options().models().get(0), s.scorer()));
        for (Map.Entry<String, MetricScores> e : s.metrics().entrySet()) {
            if (!e.getKey().equals("vmaf")) {
                Pooled p = e.getValue().pooled();
                out.append(String.format(Locale.ROOT, "%-16s mean %.4f  harmonic %.4f  min %.4f  max %.4f  p1 %.4f  p5 %.4f%n",
                        e.getKey(), p.mean(), p.harmonicMean(), p.min(), p.max(), p.p1(), p.p5()));
            }
        }
        var c = s.counts();
        out.append(String.format(Locale.ROOT, "frames: reference %d, distorted %d, compared %d, scored %d%s%n",
                c.reference(), c.distorted(), c.compared(), c.scored(),
                r.options().subsample() > 1 ? " (every " + r.options().subsample() + ")" : ""));
        if (s.reference() != null && s.distorted() != null) {
            out.append("formats: reference ").append(s.reference()).append(", distorted ").append(s.distorted())
                    .append(s.scaledWith() == null ? "" : " (scaled " + s.scaledWith().flag() + " to "
                            + s.reference().size() + ")").append(System.lineSeparator());
        }
        out.append(input("reference", r.reference())).append(System.lineSeparator());
        out.append(input("distorted", r.distorted())).append(System.lineSeparator());
        out.append(String.format(Locale.ROOT, "time: prepare %d ms, score %d ms, total %d ms", r.prepareMillis(),
                r.scoreMillis(), r.totalMillis()));
        return out.toString();
    }

    private static String input(String side, InputReport in) {
        String fuse = in.fuseTraffic()
                .map(t -> String.format(Locale.ROOT, ", through FUSE %d bytes in %d reads", t.bytes(), t.reads()))
                .orElse("");
        return String.format(Locale.ROOT, "%-9s %s  [storage %s, read %s, bypass %s%s]", side, in.uri(), in.storage(),
                in.location(), in.bypass() ? "yes" : "no: " + in.bypassReason(), fuse);
    }
}
