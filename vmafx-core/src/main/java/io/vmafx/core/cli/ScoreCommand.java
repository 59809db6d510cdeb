package io.vmafx.core.cli;

import io.vmafx.core.job.JobException;
import io.vmafx.core.job.JobFields;
import io.vmafx.core.job.JobRequest;
import io.vmafx.core.job.JobResult;
import io.vmafx.core.node.Node;
import io.vmafx.core.score.ProgressListener;
import io.vmafx.core.score.ScoreOptions;
import io.vmafx.core.score.TerminalProgress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmafx-node score}: scores one pair and prints the result. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Score a distorted video against its reference.")
final class ScoreCommand extends NodeCommand {

    @Option(names = "--reference", required = true, paramLabel = "URI", description = "the reference: a path, file://, http(s)://, s3://, gcs://, azblob://, sftp://, rclone://remote:path or remote:path")
    String reference;
    @Option(names = "--distorted", required = true, paramLabel = "URI", description = "the distorted video, in any form --reference takes")
    String distorted;
    @Option(names = "--width", paramLabel = "W", description = "frame width, for raw .yuv inputs")
    Integer width;
    @Option(names = "--height", paramLabel = "H", description = "frame height, for raw .yuv inputs")
    Integer height;
    @Option(names = "--pix-fmt", paramLabel = "FMT", description = "pixel format of raw .yuv inputs, e.g. yuv420p, yuv420p10le")
    String pixFmt;
    @Option(names = "--distorted-width", paramLabel = "W", description = "frame width of a raw distorted input, when it differs from --width")
    Integer distortedWidth;
    @Option(names = "--distorted-height", paramLabel = "H", description = "frame height of a raw distorted input, when it differs from --height")
    Integer distortedHeight;
    @Option(names = "--distorted-pix-fmt", paramLabel = "FMT", description = "pixel format of a raw distorted input, when it differs from --pix-fmt")
    String distortedPixFmt;
    @Option(names = "--feature", paramLabel = "NAME", split = ",", description = "metrics beside VMAF (repeat or comma-separate): psnr, float_ssim, float_ms_ssim, cambi, ciede, psnr_hvs")
    java.util.List<String> features = new java.util.ArrayList<>();
    @Option(names = "--subsample", paramLabel = "N", description = "score every N-th frame (libvmaf's n_subsample; default 1)")
    int subsample = 1;
    @Option(names = "--scale", paramLabel = "METHOD", description = "how a distorted video of another size is scaled to the reference's: bicubic (default), bilinear, lanczos, spline, neighbor, area")
    String scale = "bicubic";
    @Option(names = "--common-frames", description = "score inputs of different lengths on the frames both have (else that fails)")
    boolean commonFrames;
    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    int run(Node node) throws JobException, InterruptedException, CliFailure {
        JobRequest request = request(node);
        ProgressListener progress = json ? ProgressListener.NONE : TerminalProgress.forConsole();
        JobResult result = node.executor().run(request, progress);
        System.out.println(json ? Json.write(result.toJson()) : Reports.text(result));
        return 0;
    }

    /** The options as a job's fields, read by {@link JobFields} as the job API's and a pairs file's are. */
    private JobRequest request(Node node) throws CliFailure {
        java.util.Map<String, Object> fields = new java.util.HashMap<>();
        fields.put("reference_uri", reference);
        fields.put("distorted_uri", distorted);
        fields.put("width", width);
        fields.put("height", height);
        fields.put("pix_fmt", pixFmt);
        fields.put("distorted_width", distortedWidth);
        fields.put("distorted_height", distortedHeight);
        fields.put("distorted_pix_fmt", distortedPixFmt);
        if (!features.isEmpty()) {
            fields.put("features", features);
        }
        fields.put("subsample", subsample);
        fields.put("scale", scale);
        fields.put("common_frames", commonFrames);
        fields.values().removeIf(java.util.Objects::isNull);
        ScoreOptions defaults = ScoreOptions.DEFAULTS.withModels(node.config().defaultModels());
        try {
            return JobFields.request(fields, defaults, name -> node.config().parseModels(name, true).get(0));
        } catch (JobFields.Invalid e) {
            throw new CliFailure(Main.EXIT_CONFIG, cliMessage(e));
        }
    }

    /** A field's message as the command line names the field: {@code --pix-fmt: ...} for {@code pix_fmt: ...}. */
    static String cliMessage(JobFields.Invalid e) {
        String m = e.getMessage();
        return e.field() != null && m.startsWith(e.field() + ":") ? JobFields.flag(e.field()) + m.substring(e.field().length()) : m;
    }
}
