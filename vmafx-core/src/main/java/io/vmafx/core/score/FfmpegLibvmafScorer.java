package io.vmafx.core.score;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.regex.Pattern;

/**
 * Scores with ffmpeg's {@code libvmaf} filter (ffmpeg 4.x with libvmaf 1.x, as {@code scripts/setup.sh}
 * installs): opens anything ffmpeg can (local files, http(s) URLs, .y4m, .mp4, raw .yuv, ...). Name
 * {@code "ffmpeg"}. Created by the executor and the CLI from the configured ffmpeg executable.
 *
 * <p>Runs {@code ffmpeg -nostdin -hide_banner -nostats -progress pipe:1 [raw options] -i DISTORTED [raw options]
 * -i REFERENCE -lavfi ...libvmaf=model_path=M:log_fmt=json:log_path=L:n_threads=N:shortest=1 -an -sn -dn -f null -}.
 * Input #0 is the distorted (libvmaf's "main"), #1 the reference. Frames are paired by index (both streams are
 * re-timed to one frame per second first), as Netflix's {@code vmaf} tool does, so inputs whose frame rates
 * differ, or a raw input (which has none), still compare frame n with frame n; scoring stops at the end of the
 * shorter input. The JSON log goes to a fresh private temporary directory that is deleted afterwards in every
 * case. Progress comes from ffmpeg's {@code -progress} output; stderr is drained concurrently, its last lines
 * kept to explain failures.
 *
 * <p>Thread-safe: holds only configuration.
 */
public final class FfmpegLibvmafScorer implements Scorer {

    /** {@link #name()}. */
    public static final String NAME = "ffmpeg";

    private static final int KEEP_LINES = 50;
    private static final Pattern URL = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*", Pattern.DOTALL);
    /** {@code scheme://user:password@}: a URL that carries a secret. */
    private static final Pattern CREDENTIALS = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://[^/@]*:[^/@]*@");
    /** Characters the filter-graph parser (second level) treats specially. */
    private static final String GRAPH_SPECIALS = "\\'[],;";

    private final String ffmpeg;
    private final int threads;
    private final Path tempRoot;

    /**
     * @param ffmpeg  the ffmpeg executable: a path, or a bare name looked up on the PATH
     * @param threads libvmaf's {@code n_threads}; 0 lets libvmaf decide
     * @throws IllegalArgumentException if {@code threads} is negative or {@code ffmpeg} blank
     */
    public FfmpegLibvmafScorer(String ffmpeg, int threads) {
        this(ffmpeg, threads, null);
    }

    /** Like {@link #FfmpegLibvmafScorer(String, int)} with a path. */
    public FfmpegLibvmafScorer(Path ffmpeg, int threads) {
        this(ffmpeg.toString(), threads, null);
    }

    /** Like {@link #FfmpegLibvmafScorer(String, int, Path)} with a path. */
    public FfmpegLibvmafScorer(Path ffmpeg, int threads, Path tempRoot) {
        this(ffmpeg.toString(), threads, tempRoot);
    }

    /**
     * Like {@link #FfmpegLibvmafScorer(String, int)}, creating each run's private temporary directory in
     * {@code tempRoot} (the system temporary directory when null).
     */
    public FfmpegLibvmafScorer(String ffmpeg, int threads, Path tempRoot) {
        Objects.requireNonNull(ffmpeg, "ffmpeg");
        if (ffmpeg.isBlank()) {
            throw new IllegalArgumentException("ffmpeg executable must not be blank");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
        this.ffmpeg = ffmpeg;
        this.threads = threads;
        this.tempRoot = tempRoot;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The ffmpeg executable this scorer runs. */
    public String ffmpeg() {
        return ffmpeg;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Failure messages: {@code ffmpeg not found at X; set VMAFX_FFMPEG ...}, {@code ffmpeg at X has no libvmaf
     * filter; ...}, {@code VMAF model not found at M}, {@code cannot open distorted input /x/y.y4m: No such file
     * or directory} (with {@link ScoringException#side()} set), {@code no frames were scored: ...}, or
     * {@code ffmpeg failed (exit N): <its last meaningful stderr line>}.
     */
    @Override
    public VmafScores score(ScoreRequest request) throws ScoringException, InterruptedException {
        Objects.requireNonNull(request, "request");
        try {
            checkModel(request.model());
            if (!ChildProcess.looksRunnable(ffmpeg)) {
                throw new ScoringException(notFoundMessage());
            }
            try (PrivateTempDir tmp = PrivateTempDir.create(tempRoot)) {
                return run(request, tmp.path().resolve("vmaf.json"));
            }
        } finally {
            request.progress().done();
        }
    }

    private VmafScores run(ScoreRequest request, Path log) throws ScoringException, InterruptedException {
        String distortedArg = inputArgument(request.distorted());
        String referenceArg = inputArgument(request.reference());
        List<String> command = command(request, distortedArg, referenceArg, log);
        Map<String, String> lists = hideCredentials(command, log.getParent());
        List<String> inputs = new ArrayList<>();
        for (int i = 1; i < command.size(); i++) {
            if (command.get(i - 1).equals("-i")) {
                inputs.add(command.get(i)); // #0 distorted, #1 reference: what ffmpeg echoes in its errors
            }
        }
        FfmpegDiagnostics diagnostics = new FfmpegDiagnostics(inputs.get(0), inputs.get(1), lists);
        LinkedBlockingQueue<Tick> ticks = new LinkedBlockingQueue<>();
        ProgressParser progress = new ProgressParser(ticks);

        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before starting " + command.get(0));
        }
        Process process = ChildProcess.start(command, notFoundMessage());
        OutputDrainer stderr = new OutputDrainer(process.getErrorStream(), "vmafx-ffmpeg-stderr", KEEP_LINES,
                diagnostics::acceptStderr, () -> { });
        OutputDrainer stdout = new OutputDrainer(process.getInputStream(), "vmafx-ffmpeg-progress", KEEP_LINES,
                progress::accept, () -> ticks.add(Tick.END));
        boolean exited = false;
        int exit;
        try {
            stderr.start();
            stdout.start();
            for (Tick tick = ticks.take(); tick != Tick.END; tick = ticks.take()) {
                request.progress().update(tick.frames(), tick.fps());
            }
            exit = process.waitFor();
            exited = true;
        } finally {
            if (!exited) {
                ChildProcess.terminate(process);
            }
            stderr.awaitEnd(ChildProcess.GRACE_MILLIS);
            stdout.awaitEnd(ChildProcess.GRACE_MILLIS);
        }
        return interpret(request, exit, diagnostics, stderr.tail(), stdout.tail(), progress.lastFrame(), log);
    }

    private VmafScores interpret(ScoreRequest request, int exit, FfmpegDiagnostics diagnostics,
                                 List<String> stderrTail, List<String> stdoutTail, long lastFrame, Path log)
            throws ScoringException {
        if (diagnostics.noLibvmaf()) {
            throw new ScoringException("ffmpeg at " + ffmpeg + " has no libvmaf filter; set VMAFX_FFMPEG to an ffmpeg"
                    + " built with --enable-libvmaf (scripts/setup.sh installs one)");
        }
        if (diagnostics.inputError() != null) {
            InputSide side = diagnostics.inputErrorSide();
            throw new ScoringException("cannot open " + side.label() + " input " + diagnostics.inputError(), side);
        }
        String libvmafError = FfmpegDiagnostics.libvmafError(stdoutTail);
        if (exit != 0) {
            String reason = FfmpegDiagnostics.lastMeaningful(stderrTail);
            if (libvmafError != null && (reason == null || reason.contains("libvmaf encountered an error"))) {
                // libvmaf 1.x prints the actual error on stdout and ffmpeg only says "check log for details".
                throw new ScoringException("libvmaf failed (ffmpeg exit " + exit + "): " + libvmafError + " (model "
                        + request.model() + ")");
            }
            throw new ScoringException("ffmpeg failed (exit " + exit + "): "
                    + (reason == null ? "no error message" : reason)
                    + (libvmafError == null ? "" : " (libvmaf: " + libvmafError + ")"));
        }
        if (!Files.isRegularFile(log)) {
            if (lastFrame == 0 || (libvmafError != null && libvmafError.contains("StatVector size is 0"))) {
                throw noFrames(request);
            }
            throw new ScoringException("ffmpeg exited normally but libvmaf wrote no log"
                    + (libvmafError == null ? "" : " (libvmaf: " + libvmafError + ")"));
        }
        List<Double> frames;
        try {
            frames = parseLibvmafLog(Files.readString(log, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ScoringException("cannot read libvmaf's log: " + e.getMessage(), e);
        }
        if (frames.isEmpty()) {
            throw noFrames(request);
        }
        return VmafScores.fromFrames(NAME, frames);
    }

    private static ScoringException noFrames(ScoreRequest request) {
        return new ScoringException("no frames were scored: the inputs gave no video frames to compare (reference "
                + request.reference() + ", distorted " + request.distorted() + ")");
    }

    private String notFoundMessage() {
        return "ffmpeg not found at " + ffmpeg + "; set VMAFX_FFMPEG to an ffmpeg built with --enable-libvmaf"
                + " (scripts/setup.sh installs one)";
    }

    /**
     * Checks that libvmaf 1.x can read {@code model}: the file, and for a {@code .pkl} its {@code .pkl.model}.
     */
    static void checkModel(Path model) throws ScoringException {
        checkReadable(model, "VMAF model");
        if (model.getFileName() != null && model.getFileName().toString().endsWith(".pkl")) {
            Path companion = model.resolveSibling(model.getFileName() + ".model");
            if (!Files.exists(companion)) {
                throw new ScoringException("VMAF model " + model + " needs its companion file " + companion
                        + " beside it (libvmaf reads both)");
            }
            checkReadable(companion, "VMAF model file");
        }
    }

    static void checkReadable(Path model, String what) throws ScoringException {
        if (!Files.exists(model)) {
            throw new ScoringException(what + " not found at " + model);
        }
        if (!Files.isRegularFile(model) || !Files.isReadable(model)) {
            throw new ScoringException(what + " " + model + " is not a readable file");
        }
    }

    /** The full ffmpeg command line for {@code request}. */
    List<String> command(ScoreRequest request, String distortedArg, String referenceArg, Path log) {
        List<String> command = new ArrayList<>(List.of(ffmpeg, "-nostdin", "-hide_banner", "-nostats",
                "-progress", "pipe:1"));
        addInput(command, request.distortedRaw() ? request.raw() : null, distortedArg);
        addInput(command, request.referenceRaw() ? request.raw() : null, referenceArg);
        String filter = "[0:v]settb=AVTB,setpts=N/TB[dis];[1:v]settb=AVTB,setpts=N/TB[ref];"
                + "[dis][ref]libvmaf=model_path=" + escapeFilterValue(request.model().toString())
                + ":log_fmt=json:log_path=" + escapeFilterValue(log.toString())
                + ":n_threads=" + threads + ":shortest=1";
        command.addAll(List.of("-lavfi", filter, "-an", "-sn", "-dn", "-f", "null", "-"));
        return command;
    }

    /**
     * Takes URL credentials off ffmpeg's command line, where every local user can read them in
     * {@code /proc/<pid>/cmdline}: an {@code -i} URL with {@code user:pass@} becomes a one-entry concat list
     * in the run's private (0700) directory; returns each list's path with the URL it holds. Raw inputs keep the URL: their format options must apply to the
     * URL itself, and the concat demuxer of ffmpeg 4.1 cannot carry them.
     */
    static Map<String, String> hideCredentials(List<String> command, Path privateDir) throws ScoringException {
        Map<String, String> lists = new java.util.HashMap<>();
        int n = 0;
        for (int i = 1; i < command.size(); i++) {
            if (!command.get(i - 1).equals("-i") || !CREDENTIALS.matcher(command.get(i)).find()
                    || (i >= 7 && command.get(i - 7).equals("-f") && command.get(i - 6).equals("rawvideo"))) {
                continue;
            }
            Path list = privateDir.resolve("input-" + (n++) + ".ffconcat");
            try {
                Files.writeString(list, "ffconcat version 1.0\nfile '" + command.get(i).replace("'", "'\\''") + "'\n",
                        StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ScoringException("cannot write ffmpeg's input list in " + privateDir + ": " + e.getMessage(), e);
            }
            lists.put(list.toString(), command.get(i));
            command.set(i, list.toString());
            command.addAll(i - 1, List.of("-f", "concat", "-safe", "0", "-protocol_whitelist", "file,http,https,tcp,tls,crypto"));
            i += 6;
        }
        return lists;
    }

    private static void addInput(List<String> command, RawVideoFormat raw, String location) {
        if (raw != null) {
            command.addAll(List.of("-f", "rawvideo", "-pix_fmt", raw.pixFmt(), "-video_size", raw.size()));
        }
        command.addAll(List.of("-i", location));
    }

    /**
     * What to pass to {@code -i} for {@code location}: URLs ({@code scheme://...}) and absolute paths as they
     * are; a relative path whose text ffmpeg could take for a protocol ({@code a:b}) or an option gets
     * {@code ./} in front.
     */
    static String inputArgument(String location) {
        if (URL.matcher(location).matches() || location.startsWith("/")) {
            return location;
        }
        if (location.indexOf(':') >= 0 || location.startsWith("-")) {
            return "./" + location;
        }
        return location;
    }

    /**
     * {@code value} escaped for both levels of ffmpeg's filter-graph parsing: quoted for the filter's option
     * parser ({@code '...'}, a quote as {@code '\''}), then every {@code \ ' [ ] , ;} backslash-escaped for the
     * graph parser.
     */
    static String escapeFilterValue(String value) {
        String quoted = "'" + value.replace("'", "'\\''") + "'";
        StringBuilder escaped = new StringBuilder(quoted.length() * 2);
        for (int i = 0; i < quoted.length(); i++) {
            char c = quoted.charAt(i);
            if (GRAPH_SPECIALS.indexOf(c) >= 0) {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }

    /**
     * Per-frame VMAF from libvmaf's JSON log ({@code frames[].metrics.vmaf}, ordered by {@code frameNum}).
     *
     * @throws ScoringException if the log is not such JSON
     */
    static List<Double> parseLibvmafLog(String json) throws ScoringException {
        return LibvmafJson.frameScores(LibvmafJson.parse(json, "libvmaf's log"), "libvmaf's log");
    }

    /** One {@code -progress} block: frames done and fps; {@link #END} marks the end of ffmpeg's stdout. */
    private record Tick(long frames, double fps) {
        static final Tick END = new Tick(-1, 0);
    }

    /** Folds ffmpeg's {@code key=value} progress lines into {@link Tick}s (runs on the stdout drainer thread). */
    private static final class ProgressParser {
        private final LinkedBlockingQueue<Tick> ticks;
        private long frame = -1;
        private double fps;
        private volatile long lastFrame = -1;

        ProgressParser(LinkedBlockingQueue<Tick> ticks) {
            this.ticks = ticks;
        }

        void accept(String line) {
            int eq = line.indexOf('=');
            if (eq <= 0) {
                return;
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1).strip();
            switch (key) {
                case "frame" -> frame = parseLong(value, frame);
                case "fps" -> fps = parseDouble(value, fps);
                case "progress" -> {
                    if (frame >= 0) {
                        lastFrame = frame;
                        ticks.add(new Tick(frame, fps));
                    }
                }
                default -> {
                    // bitrate, out_time, speed, ...: not needed.
                }
            }
        }

        long lastFrame() {
            return lastFrame;
        }

        private static long parseLong(String value, long fallback) {
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                return fallback;
            }
        }

        private static double parseDouble(String value, double fallback) {
            try {
                double d = Double.parseDouble(value);
                return Double.isFinite(d) ? d : fallback;
            } catch (NumberFormatException e) {
                return fallback;
            }
        }
    }
}
