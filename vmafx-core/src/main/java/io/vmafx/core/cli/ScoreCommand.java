package io.vmafx.core.cli;

import io.vmafx.core.job.JobException;
import io.vmafx.core.job.JobRequest;
import io.vmafx.core.job.JobResult;
import io.vmafx.core.node.Node;
import io.vmafx.core.score.ProgressListener;
import io.vmafx.core.score.RawVideoFormat;
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
    @Option(names = "--pix-fmt", paramLabel = "FMT", description = "pixel format of raw .yuv inputs, e.g. yuv420p")
    String pixFmt;
    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    int run(Node node) throws JobException, InterruptedException, CliFailure {
        RawVideoFormat raw = rawFormat();
        ProgressListener progress = json ? ProgressListener.NONE : TerminalProgress.forConsole();
        JobResult result = node.executor().run(new JobRequest(reference, distorted, raw, null), progress);
        System.out.println(json ? Json.write(result.toJson()) : Reports.text(result));
        return 0;
    }

    private RawVideoFormat rawFormat() throws CliFailure {
        if (width == null && height == null && pixFmt == null) {
            return null;
        }
        if (width == null || height == null || pixFmt == null) {
            throw new CliFailure(Main.EXIT_CONFIG, "raw video needs all of --width, --height and --pix-fmt");
        }
        try {
            return new RawVideoFormat(width, height, pixFmt);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(Main.EXIT_CONFIG, e.getMessage());
        }
    }

}
