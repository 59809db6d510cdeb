package io.vmafx.core.score;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What ffprobe's stderr (at log level {@code error}) says went wrong in a {@link FilterGraph} run, as one line
 * for the user and, where the line says it, the input it is about. The movie sources are named after their side
 * ({@code movie@reference}), which is what lets an open failure be pinned on one input.
 */
final class LibvmafDiagnostics {

    private static final Pattern OPEN_FAILED =
            Pattern.compile("^\\[movie@(reference|distorted) @ 0x[0-9a-f]+\\] Failed to avformat_open_input .*");
    private static final Pattern MOVIE_LINE = Pattern.compile("^\\[movie@(reference|distorted) @ 0x[0-9a-f]+\\] .*");
    private static final Pattern GRAPH_ERROR = Pattern.compile("^\\[AVFilterGraph @ 0x[0-9a-f]+\\] Error processing filtergraph: (.*)$");
    private static final Pattern PARTIAL_RAW =
            Pattern.compile("Invalid buffer size, packet size (\\d+) < expected frame_size (\\d+)");
    private static final List<String> TRANSPORTS = List.of("http", "https", "tcp", "tls", "file");
    private static final Pattern CONTEXT = Pattern.compile("^\\[([^\\]]*?) @ 0x[0-9a-fA-F]+\\] ");
    /** The closing line ffprobe prints for its (dummy) input: {@code vmafx: Reason}. */
    static final String DUMMY_INPUT = "vmafx";

    /** A failure: its message and the input it is about, when known. */
    record Failure(String message, InputSide side) {
        ScoringException exception() {
            return new ScoringException(message, side);
        }
    }

    private LibvmafDiagnostics() {
    }

    /** Why an input could not be opened, from an ffprobe run that failed; empty if that is not what happened. */
    static Optional<Failure> openFailure(List<String> stderr) {
        InputSide side = null;
        String reason = null;
        for (String line : stderr) {
            Matcher open = OPEN_FAILED.matcher(line);
            if (open.matches() && side == null) {
                side = open.group(1).equals("reference") ? InputSide.REFERENCE : InputSide.DISTORTED;
            }
            Matcher graph = GRAPH_ERROR.matcher(line);
            if (graph.matches() && reason == null) {
                reason = graph.group(1);
            }
        }
        if (side == null) {
            return Optional.empty();
        }
        // The transport's own line ("Connection refused", "HTTP error 404 Not Found", a playlist's entry refused by the
        // protocol whitelist) is more telling, when there.
        for (String line : stderr) {
            Matcher c = CONTEXT.matcher(line);
            if (c.find() && TRANSPORTS.contains(c.group(1))) {
                reason = stripContext(line);
                break;
            }
        }
        return Optional.of(new Failure("cannot open: " + (reason == null ? "the input cannot be read" : reason), side));
    }

    /**
     * The input the first line a movie source printed is about, or null: in a failed run it is the input whose graph
     * setup failed (e.g. {@code Empty pixel format list}: its decoder gave no frame).
     */
    static InputSide sideNamed(List<String> stderr) {
        for (String line : stderr) {
            Matcher m = MOVIE_LINE.matcher(line);
            if (m.matches()) {
                return m.group(1).equals("reference") ? InputSide.REFERENCE : InputSide.DISTORTED;
            }
        }
        return null;
    }

    /**
     * The sizes in a "packet size A < expected frame_size B" line: a raw input whose last frame is partial (not a
     * whole number of frames), or null.
     */
    static long[] partialRawFrame(List<String> stderr) {
        for (String line : stderr) {
            Matcher m = PARTIAL_RAW.matcher(line);
            if (m.find()) {
                return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
            }
        }
        return null;
    }

    /** Whether ffprobe said it has no libvmaf filter. */
    static boolean noLibvmaf(List<String> stderr) {
        return stderr.stream().anyMatch(l -> l.contains("No such filter: 'libvmaf'"));
    }

    /** The first line that says something, without ffmpeg's {@code @ 0x...} address; null when none. */
    static String firstMeaningful(List<String> stderr) {
        for (String line : stderr) {
            String s = line.strip();
            if (!s.isEmpty() && !s.startsWith(DUMMY_INPUT + ": ")) {
                return stripContext(s);
            }
        }
        for (String line : stderr) {
            if (line.startsWith(DUMMY_INPUT + ": ")) {
                return line.substring(DUMMY_INPUT.length() + 2).strip();
            }
        }
        return null;
    }

    private static String stripContext(String line) {
        return CONTEXT.matcher(line.strip()).replaceFirst("[$1] ");
    }
}
