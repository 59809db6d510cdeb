package io.vmafx.core.cli;

import io.vmafx.core.job.InputReport;
import io.vmafx.core.job.JobResult;
import java.util.Locale;

/** The human-readable text of a result. */
final class Reports {

    private Reports() {
    }

    static String text(JobResult r) {
        var s = r.scores();
        return String.format(Locale.ROOT,
                "VMAF %.3f  (min %.3f, max %.3f, harmonic mean %.3f; %d frames; scorer %s)%n%s%n%s%n"
                        + "time: prepare %d ms, score %d ms, total %d ms",
                s.mean(), s.min(), s.max(), s.harmonicMean(), s.frameCount(), s.scorer(),
                input("reference", r.reference()), input("distorted", r.distorted()),
                r.prepareMillis(), r.scoreMillis(), r.totalMillis());
    }

    private static String input(String side, InputReport in) {
        String fuse = in.fuseTraffic()
                .map(t -> String.format(Locale.ROOT, ", through FUSE %d bytes in %d reads", t.bytes(), t.reads()))
                .orElse("");
        return String.format(Locale.ROOT, "%-9s %s  [storage %s, read %s, bypass %s%s]", side, in.uri(), in.storage(),
                in.location(), in.bypass() ? "yes" : "no: " + in.bypassReason(), fuse);
    }
}
