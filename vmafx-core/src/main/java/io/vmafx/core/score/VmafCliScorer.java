package io.vmafx.core.score;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Scores with Netflix's {@code vmaf} command-line tool (libvmaf 2.x or 3.x), for users who have one built for
 * their machine (there is no libvmaf build for aarch64 in the registries the node installs from). Name
 * {@code "vmaf"}. Created by the node when {@code VMAFX_SCORER=vmaf}.
 *
 * <p>Runs {@code vmaf -r REF -d DIS --json -o OUT [--width W --height H --pixel_format 420|422|444 --bitdepth 8|10|12]
 * --model version=V:name=vmaf ... [--feature F ...] [--subsample N] --threads N}, with {@code OUT} in a fresh private temporary directory deleted afterwards
 * in every case. The tool reads only local .y4m files and raw .yuv files, and applies the raw layout to
 * both inputs: a URL, another container, or one raw input beside one .y4m is refused with a
 * {@link ScoringException} before anything runs (the {@code "libvmaf"} scorer handles those). A model path
 * the tool's {@code :}-separated {@code --model} option cannot carry is passed through a symbolic link.
 *
 * <p>The tool cannot scale, and its frame counts are its own: inputs must be of one size and length. The tool
 * prints no progress when its stderr is not a terminal, so the listener hears only the final frame count. Thread-safe: holds only configuration.
 */
public final class VmafCliScorer implements Scorer {

    /** {@link #name()}. */
    public static final String NAME = "vmaf";

    private static final Pattern URL = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*", Pattern.DOTALL);
    private static final Pattern NOT_OPENED = Pattern.compile("^could not open file: (.*)$");
    private static final Pattern BAD_INPUT = Pattern.compile("^problem with (reference|distorted) file: (.*)$");

    private final String vmaf;
    private final int threads;
    private final Path tempRoot;

    /**
     * @param vmaf    the {@code vmaf} executable: a path, or a bare name looked up on the PATH
     * @param threads the tool's {@code --threads}; 0 lets it decide
     * @throws IllegalArgumentException if {@code threads} is negative or {@code vmaf} blank
     */
    public VmafCliScorer(String vmaf, int threads) {
        this(vmaf, threads, null);
    }

    /** Like {@link #VmafCliScorer(String, int)} with a path. */
    public VmafCliScorer(Path vmaf, int threads) {
        this(vmaf.toString(), threads, null);
    }

    /** Like {@link #VmafCliScorer(String, int, Path)} with a path. */
    public VmafCliScorer(Path vmaf, int threads, Path tempRoot) {
        this(vmaf.toString(), threads, tempRoot);
    }

    /**
     * Like {@link #VmafCliScorer(String, int)}, creating each run's private temporary directory in
     * {@code tempRoot} (the system temporary directory when null).
     */
    public VmafCliScorer(String vmaf, int threads, Path tempRoot) {
        Objects.requireNonNull(vmaf, "vmaf");
        if (vmaf.isBlank()) {
            throw new IllegalArgumentException("vmaf executable must not be blank");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
        this.vmaf = vmaf;
        this.threads = threads;
        this.tempRoot = tempRoot;
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Failure messages: {@code vmaf not found at X; ...}, {@code the vmaf scorer reads only local .y4m and raw
     * .yuv files; reference input ... is a URL ...} (with {@link ScoringException#side()}), {@code distorted input
     * /x.y4m does not exist}, {@code VMAF model not found at M}, {@code vmaf failed (exit N): <its last meaningful
     * output line>}, {@code no frames were scored ...}.
     */
    @Override
    public VmafScores score(ScoreRequest request) throws ScoringException, InterruptedException {
        Objects.requireNonNull(request, "request");
        try {
            Path distorted = localInput(request, InputSide.DISTORTED);
            Path reference = localInput(request, InputSide.REFERENCE);
            RawVideoFormat raw = rawFormat(request);
            if (!ChildProcess.looksRunnable(vmaf)) {
                throw new ScoringException(notFoundMessage());
            }
            try (PrivateTempDir tmp = PrivateTempDir.create(tempRoot)) {
                Path out = tmp.path().resolve("vmaf.json");
                List<String> command = command(reference, distorted, raw, request.options(), tmp.path(), out);
                VmafScores scores = run(command, reference, distorted, out, request.options());
                request.progress().update(scores.frameCount(), 0);
                return scores;
            }
        } finally {
            request.progress().done();
        }
    }

    private VmafScores run(List<String> command, Path reference, Path distorted, Path out, ScoreOptions options)
            throws ScoringException, InterruptedException {
        ToolRun run = ToolRun.run(command, notFoundMessage(), line -> { });
        List<String> lines = new ArrayList<>(run.stdout());
        lines.addAll(run.stderr());
        if (run.exit() != 0) {
            throw failure(run.exit(), lines, reference, distorted);
        }
        if (!Files.isRegularFile(out)) {
            throw new ScoringException("vmaf exited normally but wrote no JSON output"
                    + lastMeaningful(lines).map(l -> " (" + l + ")").orElse(""));
        }
        try {
            return parseJson(Files.readString(out, StandardCharsets.UTF_8), options);
        } catch (IOException e) {
            throw new ScoringException("cannot read vmaf's JSON output: " + e.getMessage(), e);
        }
    }

    private ScoringException failure(int exit, List<String> lines, Path reference, Path distorted) {
        for (String line : lines) {
            var notOpened = NOT_OPENED.matcher(line.strip());
            if (notOpened.matches()) {
                InputSide side = sideOf(notOpened.group(1), reference, distorted);
                return new ScoringException("cannot open " + (side == null ? "input" : side.label() + " input")
                        + " " + notOpened.group(1), side);
            }
            var badInput = BAD_INPUT.matcher(line.strip());
            if (badInput.matches()) {
                InputSide side = badInput.group(1).equals("reference") ? InputSide.REFERENCE : InputSide.DISTORTED;
                return new ScoringException("vmaf cannot read " + side.label() + " input " + badInput.group(2)
                        + " (not a valid .y4m, or the raw layout does not fit)", side);
            }
            if (line.startsWith("problem loading model")) {
                return new ScoringException("vmaf " + line.strip() + " (libvmaf 2.x reads .json models; recent"
                        + " versions no longer read .pkl)");
            }
            if (line.startsWith("problem generating pooled VMAF score")) {
                return new ScoringException("vmaf could not pool the scores (no frames were scored?)");
            }
        }
        return new ScoringException("vmaf failed (exit " + exit + "): "
                + lastMeaningful(lines).orElse("no error message"));
    }

    private static InputSide sideOf(String path, Path reference, Path distorted) {
        boolean ref = path.equals(reference.toString());
        boolean dis = path.equals(distorted.toString());
        return ref == dis ? (ref ? InputSide.REFERENCE : null) : ref ? InputSide.REFERENCE : InputSide.DISTORTED;
    }

    /** The last line that says something; the reason, not the usage text, when the tool printed its usage. */
    private static Optional<String> lastMeaningful(List<String> lines) {
        int end = lines.size();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("Usage: ")) {
                end = i;
                break;
            }
        }
        for (int i = end - 1; i >= 0; i--) {
            String line = lines.get(i).strip();
            if (!line.isEmpty()) {
                return Optional.of(line);
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<String> unavailable() {
        return ChildProcess.looksRunnable(vmaf) ? Optional.empty() : Optional.of(notFoundMessage());
    }

    private String notFoundMessage() {
        return "vmaf not found at " + vmaf + "; set VMAFX_VMAF_BIN to Netflix's vmaf tool (libvmaf 2.x), or use the"
                + " libvmaf scorer";
    }

    /** The command line; file models are linked into {@code dir} when their path holds {@code :} or {@code =}. */
    List<String> command(Path reference, Path distorted, RawVideoFormat raw, ScoreOptions options, Path dir, Path out)
            throws ScoringException {
        List<String> command = new ArrayList<>(List.of(vmaf, "-r", reference.toString(), "-d", distorted.toString(),
                "--json", "-o", out.toString()));
        if (raw != null) {
            command.addAll(List.of("--width", Integer.toString(raw.width()), "--height", Integer.toString(raw.height()),
                    "--pixel_format", raw.chroma(), "--bitdepth", Integer.toString(raw.bitDepth())));
        }
        for (int i = 0; i < options.models().size(); i++) {
            VmafModel m = options.models().get(i);
            String source = m.version().isPresent() ? "version=" + m.version().get()
                    : "path=" + modelArgument(m.file(), dir, i);
            command.addAll(List.of("--model", source + ":name=" + options.metricName(i)
                    + (m.phone() ? ":enable_transform=true" : "")));
        }
        for (Feature f : options.features()) {
            command.addAll(List.of("--feature", f.libvmafName()));
        }
        if (options.subsample() > 1) {
            command.addAll(List.of("--subsample", Integer.toString(options.subsample())));
        }
        command.addAll(List.of("--threads", Integer.toString(threads)));
        return command;
    }

    /**
     * The local file for {@code side}: a path or a {@code file:} URL naming an existing file, a {@code .y4m}
     * unless flagged raw.
     */
    private static Path localInput(ScoreRequest request, InputSide side) throws ScoringException {
        String location = request.location(side);
        Path path;
        if (location.regionMatches(true, 0, "file:", 0, 5)) {
            try {
                path = Path.of(URI.create(location));
            } catch (IllegalArgumentException e) {
                throw new ScoringException(side.label() + " input " + location + " is not a valid file: URL", side, e);
            }
        } else if (URL.matcher(location).matches()) {
            throw new ScoringException("the vmaf scorer reads only local .y4m and raw .yuv files; " + side.label()
                    + " input " + location + " is a URL (use the libvmaf scorer)", side);
        } else {
            path = Path.of(location);
        }
        if (!request.isRaw(side) && !location.toLowerCase(Locale.ROOT).endsWith(".y4m")) {
            throw new ScoringException("the vmaf scorer reads only .y4m and raw .yuv files; " + side.label() + " input "
                    + location + " is neither (flag it raw with its layout, or use the libvmaf scorer)", side);
        }
        if (!Files.exists(path)) {
            throw new ScoringException(side.label() + " input " + path + " does not exist", side);
        }
        if (!Files.isReadable(path) || Files.isDirectory(path)) {
            throw new ScoringException(side.label() + " input " + path + " is not a readable file", side);
        }
        return path;
    }

    /** The raw layout to pass, or null for two .y4m inputs. */
    private static RawVideoFormat rawFormat(ScoreRequest request) throws ScoringException {
        RawVideoFormat ref = request.referenceRaw();
        RawVideoFormat dis = request.distortedRaw();
        if ((ref == null) != (dis == null) || (ref != null && !ref.equals(dis))) {
            throw new ScoringException("the vmaf tool applies one raw layout to both inputs; these differ (reference "
                    + (ref == null ? ".y4m" : ref.size() + " " + ref.pixFmt()) + ", distorted "
                    + (dis == null ? ".y4m" : dis.size() + " " + dis.pixFmt()) + "): use the libvmaf scorer");
        }
        if (ref == null) {
            return null;
        }
        if (ref.chroma().equals("400")) {
            throw new ScoringException("the vmaf tool reads no gray raw video (pixel format " + ref.pixFmt()
                    + "); use the libvmaf scorer");
        }
        return ref;
    }

    /**
     * {@code model}, or a link to it inside {@code dir} when its path holds {@code :} or {@code =}, which the
     * tool's {@code --model path=...:key=value} syntax cannot carry. A {@code .pkl} keeps its {@code .model}.
     */
    private static Path modelArgument(Path model, Path dir, int index) throws ScoringException {
        Path absolute = model.toAbsolutePath();
        if (absolute.toString().indexOf(':') < 0 && absolute.toString().indexOf('=') < 0) {
            return absolute;
        }
        Path link = dir.resolve("model-" + index + ".json");
        try {
            Files.createSymbolicLink(link, absolute);
        } catch (IOException | UnsupportedOperationException e) {
            throw new ScoringException("the vmaf tool cannot take model path " + model + " (it holds ':' or '='),"
                    + " and linking it failed: " + e.getMessage(), e);
        }
        if (link.toString().indexOf(':') >= 0 || link.toString().indexOf('=') >= 0) {
            throw new ScoringException("the vmaf tool cannot take model path " + model + " (it holds ':' or '=');"
                    + " the temporary directory " + dir + " does too");
        }
        return link;
    }

    /**
     * Scores from the tool's JSON output (libvmaf 2.x/3.x format): every metric of {@code options} per frame, in
     * {@code frameNum} order, pooled here.
     *
     * @throws ScoringException if the text is not such JSON, a frame lacks a metric, or there are no frames
     */
    static VmafScores parseJson(String json, ScoreOptions options) throws ScoringException {
        Map<String, MetricScores> metrics = LibvmafLog.metrics(json, options.metricNames(), "vmaf's JSON output");
        if (metrics.isEmpty()) {
            throw new ScoringException("no frames were scored: vmaf's JSON output lists no frames");
        }
        long n = metrics.get("vmaf").perFrame().size();
        return new VmafScores(NAME, metrics, new FrameCounts(n, n, n, n), null, null, null);
    }
}
