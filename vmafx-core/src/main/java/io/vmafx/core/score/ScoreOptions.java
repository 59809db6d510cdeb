package io.vmafx.core.score;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a job computes beside which inputs: the VMAF models (the first is the job's "vmaf" score), extra
 * libvmaf features, frame subsampling, how a distorted video of another size is scaled, and whether inputs of
 * different lengths may be scored on their common frames. The CLI and the job API build one; the scorers read
 * it. Immutable.
 *
 * @param models       at least one; labels must differ
 * @param features     extra extractors, no repeats
 * @param subsample    libvmaf's {@code n_subsample}: score every n-th frame, {@code >= 1}
 * @param scaling      the scaling method for a distorted video at another size
 * @param commonFrames whether inputs whose frame counts differ are scored on the frames both have (else that fails)
 */
public record ScoreOptions(List<VmafModel> models, List<Feature> features, int subsample, Scaling scaling,
                           boolean commonFrames) {

    /** The largest subsampling interval accepted. */
    public static final int MAX_SUBSAMPLE = 1000;
    /** VMAF with the default model, every frame, bicubic scaling, equal frame counts required. */
    public static final ScoreOptions DEFAULTS = new ScoreOptions(List.of(VmafModel.DEFAULT), List.of(), 1,
            Scaling.BICUBIC, false);

    /** @throws IllegalArgumentException naming what is wrong */
    public ScoreOptions {
        models = List.copyOf(models);
        features = List.copyOf(features);
        Objects.requireNonNull(scaling, "scaling");
        if (models.isEmpty()) {
            throw new IllegalArgumentException("at least one model is needed");
        }
        Set<String> labels = new LinkedHashSet<>();
        for (VmafModel m : models) {
            if (!labels.add(m.label())) {
                throw new IllegalArgumentException("model " + m + " is named twice");
            }
        }
        if (new LinkedHashSet<>(features).size() != features.size()) {
            throw new IllegalArgumentException("a feature is named twice");
        }
        // Each model's score is reported under its metric name, as are the features' metrics: a second model labelled
        // "vmaf" or "psnr_y" would silently replace one of them in libvmaf's log.
        Set<String> metrics = new LinkedHashSet<>(List.of("vmaf"));
        features.forEach(f -> metrics.addAll(f.metrics()));
        for (int i = 1; i < models.size(); i++) {
            if (!metrics.add(models.get(i).label())) {
                throw new IllegalArgumentException("model " + models.get(i) + " would be reported as '"
                        + models.get(i).label() + "', a name the results already use; rename its file");
            }
        }
        if (subsample < 1 || subsample > MAX_SUBSAMPLE) {
            throw new IllegalArgumentException("subsample must be from 1 to " + MAX_SUBSAMPLE + ", got " + subsample);
        }
    }

    /** These options with {@code models} instead. */
    public ScoreOptions withModels(List<VmafModel> models) {
        return new ScoreOptions(models, features, subsample, scaling, commonFrames);
    }

    /** The metric names results carry, in order: each model's, then each feature's. */
    public List<String> metricNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            names.add(metricName(i));
        }
        features.forEach(f -> names.addAll(f.metrics()));
        return names;
    }

    /** The metric name of model {@code i}: {@code vmaf} for the first (the job's VMAF), else its label. */
    public String metricName(int i) {
        return i == 0 ? "vmaf" : models.get(i).label();
    }
}
