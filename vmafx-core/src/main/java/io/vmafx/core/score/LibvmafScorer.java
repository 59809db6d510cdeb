package io.vmafx.core.score;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Scores with libvmaf 2.3 through a static ffprobe's lavfi device (the {@code libvmaf} filter, models built in),
 * as {@code scripts/setup.sh} installs it. Name {@code "libvmaf"}. Created by the node from its configuration.
 *
 * <p>A job is two ffprobe runs, each reading its {@link FilterGraph} from a file in a fresh private (0700)
 * temporary directory ({@code -f lavfi -graph_file}), so no URL credential reaches a command line:
 * <ol>
 *   <li>a probe that opens both inputs and reports their size and pixel format (skipped when both are raw);</li>
 *   <li>the scoring run, which prints one line per frame of each of its three outputs (compared pairs, distorted
 *       frames, reference frames): the counts it checks and the progress it reports.</li>
 * </ol>
 * Scores are reported only when both inputs were read whole: every frame of each decoded without error, the frame
 * counts equal (or common frames allowed), a raw file a whole number of frames, and libvmaf's log holding a value
 * of every metric for every scored frame. Anything else is a {@link ScoringException} naming the input and the
 * counts.
 *
 * <p>Thread-safe: holds only configuration.
 */
public final class LibvmafScorer implements Scorer {

    /** {@link #name()}. */
    public static final String NAME = "libvmaf";

    private final String ffprobe;
    private final int threads;
    private final Path tempRoot;
    private final List<String> networkOptions;

    /**
     * @param ffprobe        the ffprobe executable with libvmaf: a path, or a name looked up on the PATH
     * @param threads        libvmaf's {@code n_threads}, at least 1
     * @param tempRoot       where each run's private directory goes; null: the system temporary directory
     * @param networkOptions protocol options for URL inputs, {@code key=value} (e.g. {@code rw_timeout=30000000})
     */
    public LibvmafScorer(String ffprobe, int threads, Path tempRoot, List<String> networkOptions) {
        Objects.requireNonNull(ffprobe, "ffprobe");
        if (ffprobe.isBlank()) {
            throw new IllegalArgumentException("ffprobe executable must not be blank");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.ffprobe = ffprobe;
        this.threads = threads;
        this.tempRoot = tempRoot;
        this.networkOptions = List.copyOf(networkOptions);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The ffprobe executable this scorer runs. */
    public String ffprobe() {
        return ffprobe;
    }

    /**
     * Why this scorer cannot run on this machine, or empty: there is no libvmaf build for other architectures than
     * x86_64 in the registries the node installs from, and the executable must exist.
     */
    @Override
    public Optional<String> unavailable() {
        String arch = System.getProperty("os.arch", "");
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            return Optional.of("no libvmaf scorer for " + arch + ": the ffprobe with libvmaf 2.3 that scripts/setup.sh"
                    + " installs exists for x86_64 only; set VMAFX_SCORER=vmaf and VMAFX_VMAF_BIN to Netflix's vmaf tool"
                    + " built for this machine");
        }
        if (!ChildProcess.looksRunnable(ffprobe)) {
            return Optional.of(notFoundMessage());
        }
        return Optional.empty();
    }

    private String notFoundMessage() {
        return "ffprobe with libvmaf not found at " + ffprobe + "; run scripts/setup.sh (it installs one) or set"
                + " VMAFX_FFPROBE";
    }

    /**
     * {@inheritDoc}
     *
     * <p>Failure messages name the input where one is at fault ({@link ScoringException#side()}): {@code cannot
     * open: No such file or directory}, {@code not a whole number of 160x90 yuv420p frames (21600 bytes each):
     * 1000000 bytes}, {@code no video frames}; or both: {@code frame counts differ: reference 48, distorted 40}.
     */
    @Override
    public VmafScores score(ScoreRequest request) throws ScoringException, InterruptedException {
        Objects.requireNonNull(request, "request");
        try {
            Optional<String> unavailable = unavailable();
            if (unavailable.isPresent()) {
                throw new ScoringException(unavailable.get());
            }
            long[] expected = new long[2];
            VideoFormat[] known = new VideoFormat[2];
            for (InputSide side : InputSide.values()) {
                checkLocation(request, side);
                expected[side.ordinal()] = expectedFrames(request, side, known);
            }
            try (PrivateTempDir tmp = PrivateTempDir.create(tempRoot)) {
                List<Path> modelFiles = linkModels(request.options(), tmp.path());
                VideoFormat[] formats = known[0] != null && known[1] != null ? known : probe(request, tmp.path());
                return run(request, formats[0], formats[1], modelFiles, tmp.path(), expected);
            }
        } finally {
            request.progress().done();
        }
    }

    /** The location must be a URL, a path, or a {@code file:} URL naming a local path (as the movie source opens it). */
    private static void checkLocation(ScoreRequest request, InputSide side) throws ScoringException {
        try {
            FilterGraph.openName(request.location(side));
        } catch (IllegalArgumentException e) { // also InvalidPathException
            throw new ScoringException("cannot open: not a valid path or file: URL (" + e.getMessage() + ")", side, e);
        }
    }

    /**
     * A local raw file must be a whole, non-zero number of frames; a URL's, or a pipe's (whose size says nothing), is
     * checked from what ffprobe says.
     */
    /**
     * How many frames {@code side} holds by its size, for the inputs whose layout says so: a raw file (every frame
     * {@link RawVideoFormat#frameBytes()}) and a y4m whose frames carry no parameters; -1 for any other input or
     * when its size cannot be learnt. ffmpeg drops a partial last frame of either without a word, so a size that is
     * not a whole number of frames fails here, before anything runs.
     */
    private static long expectedFrames(ScoreRequest request, InputSide side, VideoFormat[] known) throws ScoringException {
        RawVideoFormat raw = request.raw(side);
        if (raw != null) {
            known[side.ordinal()] = raw.videoFormat();
        }
        Optional<InputBytes> bytes = InputBytes.of(request.location(side));
        if (bytes.isEmpty()) {
            return -1;
        }
        long size = bytes.get().size();
        if (size == 0) {
            throw new ScoringException("no video frames: the file is empty", side);
        }
        if (raw != null) {
            if (size % raw.frameBytes() != 0) {
                throw new ScoringException(notWholeFrames(raw, size), side);
            }
            return size / raw.frameBytes();
        }
        Optional<Y4mHeader> y4m = Y4mHeader.parse(bytes.get().head());
        if (y4m.isEmpty() || !plainFrames(bytes.get().head(), y4m.get())) {
            return -1;
        }
        // A y4m says its size and format in its header: no need to open it with ffprobe for them.
        known[side.ordinal()] = y4m.get().videoFormat().orElse(null);
        long body = size - y4m.get().headerBytes();
        long frame = y4m.get().frameBytes();
        if (body % frame != 0) {
            throw new ScoringException(String.format(Locale.ROOT, "truncated: %d whole %dx%d frames, then %d of the %d"
                    + " bytes of frame %d", body / frame, y4m.get().width(), y4m.get().height(), body % frame, frame,
                    body / frame + 1), side);
        }
        return body / frame;
    }

    /** Whether the y4m's first frame marker is a bare {@code FRAME\n} (a frame with parameters has another length). */
    private static boolean plainFrames(byte[] head, Y4mHeader header) {
        byte[] marker = "FRAME\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int at = header.headerBytes();
        if (head.length < at + marker.length) {
            return head.length == at; // a header and no frame at all: zero frames, counted as such
        }
        return java.util.Arrays.equals(head, at, at + marker.length, marker, 0, marker.length);
    }

    /** Whether {@code side} is a raw regular file, whose size {@link #expectedFrames} checks before anything runs. */
    private static boolean sizeCheckedUpFront(ScoreRequest request, InputSide side) {
        String location = request.location(side);
        return request.isRaw(side) && !FilterGraph.isUrl(location)
                && Files.isRegularFile(Path.of(FilterGraph.openName(location)));
    }

    private static String notWholeFrames(RawVideoFormat raw, long size) {
        return String.format(Locale.ROOT, "not a whole number of %s %s frames (%d bytes each): %d bytes are %d frames"
                + " and %d bytes; check its size and pixel format", raw.size(), raw.pixFmt(), raw.frameBytes(), size,
                size / raw.frameBytes(), size % raw.frameBytes());
    }

    /** Links each file model into {@code dir} under a name libvmaf's model option can carry. */
    private static List<Path> linkModels(ScoreOptions options, Path dir) throws ScoringException {
        List<Path> links = new ArrayList<>();
        for (VmafModel m : options.models()) {
            if (m.file() == null) {
                continue;
            }
            if (!Files.isReadable(m.file())) {
                throw new ScoringException("VMAF model " + m.file() + " is not a readable file");
            }
            Path link = dir.resolve("model-" + links.size() + ".json");
            if (!FilterGraph.safeInModelOption(link.toString())) {
                throw new ScoringException("the temporary directory " + dir + " holds a character libvmaf's model option"
                        + " cannot carry; set VMAFX_TMPDIR elsewhere");
            }
            try {
                Files.createSymbolicLink(link, m.file().toAbsolutePath());
            } catch (IOException | UnsupportedOperationException e) {
                throw new ScoringException("cannot link VMAF model " + m.file() + " into " + dir + ": " + e.getMessage(), e);
            }
            links.add(link);
        }
        return links;
    }

    /** The decoded format of each input, [reference, distorted], as ffprobe opens them (containers). */
    private VideoFormat[] probe(ScoreRequest request, Path dir) throws ScoringException, InterruptedException {
        Path graph = writeGraph(dir.resolve("probe.graph"), FilterGraph.probe(request, networkOptions));
        List<String> lines = new ArrayList<>();
        ToolRun run = ToolRun.run(command(graph, "stream=index,width,height,pix_fmt"), notFoundMessage(), lines::add);
        failOnError(run, false);
        VideoFormat[] formats = new VideoFormat[2];
        for (String line : lines) {
            String[] f = line.split(",");
            if (f.length == 4 && (f[0].equals("0") || f[0].equals("1"))) {
                try {
                    formats[Integer.parseInt(f[0])] = new VideoFormat(Integer.parseInt(f[1]), Integer.parseInt(f[2]), f[3]);
                } catch (NumberFormatException e) {
                    // N/A: no video size known; handled below
                }
            }
        }
        for (InputSide side : InputSide.values()) {
            int i = side == InputSide.REFERENCE ? 0 : 1;
            if (formats[i] == null || formats[i].width() <= 0) {
                String said = LibvmafDiagnostics.firstMeaningful(run.stderr());
                throw new ScoringException("no video stream with a frame size" + (said == null ? "" : " (" + said + ")"),
                        side);
            }
        }
        return formats;
    }

    private VmafScores run(ScoreRequest request, VideoFormat reference, VideoFormat distorted, List<Path> modelFiles,
                           Path dir, long[] expectedFrames) throws ScoringException, InterruptedException {
        ScoreOptions options = request.options();
        Path log = dir.resolve("libvmaf.json");
        String models = FilterGraph.modelOption(options, modelFiles);
        Path graph = writeGraph(dir.resolve("score.graph"),
                FilterGraph.score(request, reference, distorted, models, log, threads, networkOptions));
        AtomicLongArray counts = new AtomicLongArray(3);
        long start = System.nanoTime();
        ProgressListener progress = request.progress();
        long[] reported = {0};
        // Counted on the stdout reader's thread, reported on this one (as ProgressListener promises) between waits.
        Runnable report = () -> {
            long n = counts.get(FilterGraph.COMPARED);
            if (n > reported[0]) {
                reported[0] = n;
                double seconds = (System.nanoTime() - start) / 1e9;
                progress.update(n, seconds > 0 ? n / seconds : 0);
            }
        };
        ToolRun run = ToolRun.run(command(graph, "packet=stream_index,pts,dts,duration,size,flags"), notFoundMessage(),
                line -> {
                    int comma = line.indexOf(',');
                    int index = comma == 1 ? line.charAt(0) - '0' : -1;
                    if (index >= 0 && index < 3) {
                        counts.incrementAndGet(index);
                    }
                }, report);
        try {
            failOnError(run, true);
        } catch (ScoringException e) {
            throw withModelFiles(e, modelFiles, options);
        }
        long[] partial = LibvmafDiagnostics.partialRawFrame(run.stderr());
        if (partial != null) {
            throw partialFrame(request, partial, dir);
        }
        if (!run.stderr().isEmpty()) {
            throw readFailure(request, run.stderr(), dir);
        }
        for (InputSide side : InputSide.values()) {
            long decoded = counts.get(side == InputSide.REFERENCE ? FilterGraph.REFERENCE_FRAMES : FilterGraph.DISTORTED_FRAMES);
            long held = expectedFrames[side.ordinal()];
            if (held >= 0 && decoded != held) {
                // The file's size said one thing when the job began and the decoder saw another: it was cut, grew or
                // was replaced while read, or its storage returned short reads (a full cache disk).
                throw new ScoringException("read " + decoded + " of its " + held + " frames: the input changed or its"
                        + " storage cut the read short", side);
            }
        }
        FrameCounts frames = checkCounts(request, counts.get(FilterGraph.REFERENCE_FRAMES),
                counts.get(FilterGraph.DISTORTED_FRAMES), counts.get(FilterGraph.COMPARED));
        Map<String, MetricScores> metrics = readLog(log, options);
        long scored = metrics.get("vmaf").perFrame().size();
        long expected = (frames.compared() + options.subsample() - 1) / options.subsample();
        if (scored != expected) {
            throw new ScoringException("libvmaf scored " + scored + " frames, expected " + expected + " of the "
                    + frames.compared() + " compared (subsample " + options.subsample() + ")");
        }
        progress.update(frames.compared(), 0);
        Scaling scaled = reference.sameSize(distorted) ? null : options.scaling();
        return new VmafScores(NAME, metrics, new FrameCounts(frames.reference(), frames.distorted(), frames.compared(),
                scored), reference, distorted, scaled);
    }

    /** {@code e} naming the model files where libvmaf's message names their links in the private directory. */
    private static ScoringException withModelFiles(ScoringException e, List<Path> links, ScoreOptions options) {
        String message = e.getMessage();
        int n = 0;
        for (VmafModel m : options.models()) {
            if (m.file() != null) {
                message = message.replace(links.get(n++).toString(), m.file().toString());
            }
        }
        return message.equals(e.getMessage()) ? e : new ScoringException(message, e.side().orElse(null), e);
    }

    private List<String> command(Path graph, String entries) {
        return List.of(ffprobe, "-hide_banner", "-v", "error", "-f", "lavfi", "-graph_file", graph.toString(),
                "-i", LibvmafDiagnostics.DUMMY_INPUT, "-show_entries", entries, "-of", "csv=p=0");
    }

    private static Path writeGraph(Path file, String graph) throws ScoringException {
        try {
            Files.writeString(file, graph, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new ScoringException("cannot write the filter graph in " + file.getParent() + ": " + e.getMessage(), e);
        }
    }

    /** Throws for a run that failed: an input that cannot be opened, no libvmaf, or ffprobe's own error. */
    private void failOnError(ToolRun run, boolean scoring) throws ScoringException {
        if (run.exit() == 0) {
            return;
        }
        if (LibvmafDiagnostics.noLibvmaf(run.stderr())) {
            throw new ScoringException("ffprobe at " + ffprobe + " has no libvmaf filter; run scripts/setup.sh for the"
                    + " one with libvmaf 2.3, or set VMAFX_FFPROBE");
        }
        Optional<LibvmafDiagnostics.Failure> open = LibvmafDiagnostics.openFailure(run.stderr());
        if (open.isPresent()) {
            throw open.get().exception();
        }
        String reason = LibvmafDiagnostics.firstMeaningful(run.stderr());
        InputSide side = LibvmafDiagnostics.sideNamed(run.stderr());
        if (side != null) {
            // Opened, but its decoder gave no frame (a cut or corrupt file): ffmpeg's first line says why.
            throw new ScoringException("cannot be read: " + (reason == null ? "no frame decoded" : reason), side);
        }
        throw new ScoringException((scoring ? "scoring" : "probing the inputs") + " failed (ffprobe exit " + run.exit()
                + "): " + (reason == null ? "no error message" : reason));
    }

    /**
     * A raw input whose last frame is partial, found by ffprobe (a URL or a pipe: a local file's size was checked up
     * front). ffmpeg's message names no input, so when both could be at fault each is decoded alone.
     */
    private ScoringException partialFrame(ScoreRequest request, long[] partial, Path dir)
            throws ScoringException, InterruptedException {
        List<InputSide> candidates = new ArrayList<>();
        for (InputSide s : InputSide.values()) {
            RawVideoFormat raw = request.raw(s);
            if (raw != null && raw.frameBytes() == partial[1] && !sizeCheckedUpFront(request, s)) {
                candidates.add(s);
            }
        }
        if (candidates.size() != 1) {
            candidates = faultyAlone(request, dir);
        }
        InputSide side = candidates.size() == 1 ? candidates.get(0) : null;
        RawVideoFormat raw = side != null ? request.raw(side) : request.referenceRaw() != null
                ? request.referenceRaw() : request.distortedRaw();
        return new ScoringException(String.format(Locale.ROOT, "not a whole number of %s %s frames: its last frame has"
                + " %d of %d bytes; check its size and pixel format", raw.size(), raw.pixFmt(), partial[0], partial[1]),
                side);
    }

    /**
     * A decoding error during the scoring run. Decoders do not say which input they belong to, so each input is
     * decoded alone to find the one at fault.
     */
    private ScoringException readFailure(ScoreRequest request, List<String> stderr, Path dir)
            throws ScoringException, InterruptedException {
        String reason = LibvmafDiagnostics.firstMeaningful(stderr);
        List<InputSide> faulty = faultyAlone(request, dir);
        InputSide side = faulty.size() == 1 ? faulty.get(0) : null;
        return new ScoringException("cannot be read whole: " + reason, side);
    }

    /** The inputs that fail, or make ffprobe complain, when each is decoded alone. */
    private List<InputSide> faultyAlone(ScoreRequest request, Path dir) throws ScoringException, InterruptedException {
        List<InputSide> faulty = new ArrayList<>();
        for (InputSide side : InputSide.values()) {
            Path graph = writeGraph(dir.resolve("check-" + side.label() + ".graph"),
                    FilterGraph.source(side, request.location(side), request.raw(side), networkOptions) + "[out0]");
            ToolRun check = ToolRun.run(command(graph, "packet=stream_index"), notFoundMessage(), line -> { });
            if (check.exit() != 0 || !check.stderr().isEmpty()) {
                faulty.add(side);
            }
        }
        return faulty;
    }

    private static FrameCounts checkCounts(ScoreRequest request, long reference, long distorted, long compared)
            throws ScoringException {
        if (reference == 0) {
            throw new ScoringException("no video frames", InputSide.REFERENCE);
        }
        if (distorted == 0) {
            throw new ScoringException("no video frames", InputSide.DISTORTED);
        }
        if (reference != distorted && !request.options().commonFrames()) {
            throw new ScoringException("frame counts differ: reference " + reference + " frames, distorted " + distorted
                    + " frames; ask for common frames (--common-frames, or common_frames in a job) to score the first "
                    + Math.min(reference, distorted));
        }
        long common = Math.min(reference, distorted);
        if (compared != common) {
            throw new ScoringException("libvmaf compared " + compared + " frame pairs, but the inputs have " + common
                    + " in common (reference " + reference + ", distorted " + distorted + ")");
        }
        return new FrameCounts(reference, distorted, compared, compared);
    }

    private static Map<String, MetricScores> readLog(Path log, ScoreOptions options) throws ScoringException {
        if (!Files.isRegularFile(log)) {
            throw new ScoringException("libvmaf wrote no log");
        }
        String json;
        try {
            json = Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ScoringException("cannot read libvmaf's log: " + e.getMessage(), e);
        }
        Map<String, MetricScores> metrics = LibvmafLog.metrics(json, options.metricNames(), "libvmaf's log");
        if (metrics.isEmpty()) {
            throw new ScoringException("libvmaf's log lists no frames");
        }
        return new LinkedHashMap<>(metrics);
    }
}
