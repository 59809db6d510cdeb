package io.vmafx.core.cli;

import io.vmafx.core.job.JobException;
import io.vmafx.core.job.JobRequest;
import io.vmafx.core.job.JobResult;
import io.vmafx.core.node.Node;
import io.vmafx.core.score.ProgressListener;
import io.vmafx.core.score.Feature;
import io.vmafx.core.score.RawVideoFormat;
import io.vmafx.core.score.Scaling;
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
        RawVideoFormat raw = rawFormat(width, height, pixFmt, "--width, --height and --pix-fmt");
        RawVideoFormat distortedRaw = distortedWidth == null && distortedHeight == null && distortedPixFmt == null ? raw
                : rawFormat(distortedWidth != null ? distortedWidth : width, distortedHeight != null ? distortedHeight : height,
                distortedPixFmt != null ? distortedPixFmt : pixFmt, "--distorted-width, --distorted-height and --distorted-pix-fmt (or their --width, --height and --pix-fmt)");
        ScoreOptions options;
        try {
            options = new ScoreOptions(node.config().defaultModels(), features.stream().map(Feature::parse).toList(),
                    subsample, Scaling.parse(scale), commonFrames);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(Main.EXIT_CONFIG, e.getMessage());
        }
        ProgressListener progress = json ? ProgressListener.NONE : TerminalProgress.forConsole();
        JobResult result = node.executor().run(new JobRequest(reference, distorted, raw, distortedRaw, options), progress);
        System.out.println(json ? Json.write(result.toJson()) : Reports.text(result));
        return 0;
    }

    private static RawVideoFormat rawFormat(Integer width, Integer height, String pixFmt, String flags) throws CliFailure {
        if (width == null && height == null && pixFmt == null) {
            return null;
        }
        if (width == null || height == null || pixFmt == null) {
            throw new CliFailure(Main.EXIT_CONFIG, "raw video needs all of " + flags);
        }
        try {
            return new RawVideoFormat(width, height, pixFmt);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(Main.EXIT_CONFIG, e.getMessage());
        }
    }

}
