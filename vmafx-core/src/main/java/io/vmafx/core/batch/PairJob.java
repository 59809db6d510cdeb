package io.vmafx.core.batch;

import com.fasterxml.jackson.jr.ob.JSON;
import io.vmafx.core.job.JobFields;
import io.vmafx.core.job.JobRequest;
import io.vmafx.core.score.Feature;
import io.vmafx.core.score.RawVideoFormat;
import io.vmafx.core.score.ScoreOptions;
import io.vmafx.core.score.VmafModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One row of a pairs file, checked: its job, the job as the job API's body says it in full (every option spelled
 * out, defaults included, in one order), and its key, the SHA-256 of that body. Two rows that ask for the same scoring
 * of the same inputs have the same key however they wrote it ({@code psnr} or {@code ["psnr"]}, a default given or
 * left out); changing any input or option changes it. {@link ResultsFile} keys results by it, so that a rerun skips
 * what is done; the fleet is sent the body itself, so that it scores exactly what the key says.
 *
 * @param line    the row's line in the pairs file
 * @param pair    the row's name: its {@code pair} field, else its distorted input
 * @param request the job
 * @param body    the job's fields by the API's names, every option given
 * @param key     64 hex digits
 */
record PairJob(long line, String pair, JobRequest request, Map<String, Object> body, String key) {

    /**
     * Checks {@code row} with {@link JobFields} (the API's and the command line's reader).
     *
     * @param defaults what a row that says nothing computes (the node's models)
     * @param models   how model names are read
     */
    static PairJob of(PairsFile.Row row, String file, ScoreOptions defaults, JobFields.Models models) throws BadPairsFile {
        JobRequest request;
        try {
            request = JobFields.request(row.fields(), defaults, models);
        } catch (JobFields.Invalid e) {
            throw BadPairsFile.at(file, row.line(), e.getMessage());
        }
        Map<String, Object> body = body(request);
        return new PairJob(row.line(), row.pair() != null ? row.pair() : request.distorted(), request, body, key(body));
    }

    /** The job's fields in full, as {@code POST /v1/jobs} takes them. */
    static Map<String, Object> body(JobRequest r) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("reference_uri", r.reference());
        b.put("distorted_uri", r.distorted());
        raw(b, "", r.referenceRaw());
        if (r.distortedRaw() != null && !r.distortedRaw().equals(r.referenceRaw())) {
            raw(b, "distorted_", r.distortedRaw());
        }
        ScoreOptions o = r.options();
        b.put("model", o.models().stream().map(VmafModel::toString).toList());
        if (!o.features().isEmpty()) { // the API refuses an empty list
            b.put("features", o.features().stream().map(Feature::libvmafName).toList());
        }
        b.put("subsample", o.subsample());
        b.put("scale", o.scaling().flag());
        b.put("common_frames", o.commonFrames());
        return b;
    }

    private static void raw(Map<String, Object> b, String prefix, RawVideoFormat raw) {
        if (raw != null) {
            b.put(prefix + "width", raw.width());
            b.put(prefix + "height", raw.height());
            b.put(prefix + "pix_fmt", raw.pixFmt());
        }
    }

    /** The body as one line of JSON. */
    static String json(Map<String, Object> body) {
        try {
            return JSON.std.asString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String key(Map<String, Object> body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json(body).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
