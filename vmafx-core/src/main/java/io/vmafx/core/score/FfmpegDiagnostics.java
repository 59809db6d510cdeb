package io.vmafx.core.score;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@link FfmpegLibvmafScorer} learns from ffmpeg's stderr (fed line by line from the drainer thread)
 * and from libvmaf's own stdout lines, turned into one-line explanations of a failure.
 */
final class FfmpegDiagnostics {

    private static final Pattern INPUT_HEADER = Pattern.compile("^Input #(\\d+), ");
    private static final Pattern LOG_CONTEXT = Pattern.compile("^\\[([^\\]]*?) @ 0x[0-9a-fA-F]+\\] ");
    /** ffmpeg's generic follow-up lines, which never say what went wrong. */
    private static final List<Pattern> NOISE = List.of(
            Pattern.compile("^\\s*$"),
            Pattern.compile("^\\s.*"),
            Pattern.compile("^Conversion failed!$"),
            Pattern.compile("^Invalid argument$"),
            Pattern.compile("^Error initializing complex filters\\.?$"),
            Pattern.compile("^Error reinitializing filters!?$"),
            Pattern.compile("^(\\[[^\\]]*\\] )?Failed to configure (input|output) pad on .*"),
            Pattern.compile("^Error while (filtering|processing the decoded data).*"),
            Pattern.compile("^Failed to inject frame into filter network.*"),
            Pattern.compile("^Exiting normally.*"),
            Pattern.compile("^(Input|Output) #\\d+, .*"),
            Pattern.compile("^Stream mapping:$"),
            Pattern.compile("^Press \\[q\\].*"),
            Pattern.compile("^frame=\\s*\\d+ .*"),
            Pattern.compile("^video:\\S+ audio:.*"),
            Pattern.compile(".*VMAF score[:=].*"),
            Pattern.compile("^Output file is empty, nothing was encoded.*"));
    /** libvmaf 1.x's informational stdout lines (its errors go there too). */
    private static final List<Pattern> LIBVMAF_INFO = List.of(
            Pattern.compile("^[a-z0-9_]+=.*"),
            Pattern.compile("^\\s*$"),
            Pattern.compile("^Start calculating VMAF score\\.*$"),
            Pattern.compile("^Exec FPS: .*"),
            Pattern.compile("^VMAF score = .*"));

    private final String distortedArg;
    private final String referenceArg;
    private final Map<String, String> shownAs;
    private boolean noLibvmaf;
    private int inputsOpened;
    private boolean mappingSeen;
    private String inputError;
    private InputSide inputErrorSide;

    /**
     * @param distortedArg the distorted input's {@code -i} argument, exactly as passed (ffmpeg echoes it)
     * @param referenceArg the reference input's {@code -i} argument, exactly as passed
     */
    FfmpegDiagnostics(String distortedArg, String referenceArg) {
        this(distortedArg, referenceArg, Map.of());
    }

    /**
     * @param shownAs what to show instead of an argument in messages: a concat list file standing for the URL
     *                it holds (the URL then goes through the usual credential redaction)
     */
    FfmpegDiagnostics(String distortedArg, String referenceArg, Map<String, String> shownAs) {
        this.distortedArg = distortedArg;
        this.referenceArg = referenceArg;
        this.shownAs = Map.copyOf(shownAs);
    }

    /** One stderr line, in order. */
    synchronized void acceptStderr(String line) {
        if (line.contains("No such filter: 'libvmaf'")) {
            noLibvmaf = true;
        }
        Matcher header = INPUT_HEADER.matcher(line);
        if (header.find()) {
            inputsOpened = Math.max(inputsOpened, Integer.parseInt(header.group(1)) + 1);
        }
        if (line.startsWith("Stream mapping:")) {
            mappingSeen = true;
        }
        if (inputError == null && !mappingSeen) {
            // ffmpeg reports a failed open as "<the -i argument>: <reason>". Inputs open in order, #0 (distorted)
            // first, which settles which one failed when both arguments are the same text.
            boolean distorted = line.startsWith(distortedArg + ": ");
            boolean reference = line.startsWith(referenceArg + ": ");
            if (distorted || reference) {
                String shown = line;
                for (Map.Entry<String, String> alias : shownAs.entrySet()) {
                    shown = shown.replace(alias.getKey(), alias.getValue());
                }
                inputError = shown;
                inputErrorSide = distorted && reference
                        ? (inputsOpened == 0 ? InputSide.DISTORTED : InputSide.REFERENCE)
                        : distorted ? InputSide.DISTORTED : InputSide.REFERENCE;
            }
        }
    }

    /** Whether ffmpeg said it has no libvmaf filter. */
    synchronized boolean noLibvmaf() {
        return noLibvmaf;
    }

    /** The line in which ffmpeg said it could not open an input, or null. */
    synchronized String inputError() {
        return inputError;
    }

    /** Which input {@link #inputError()} is about, or null. */
    synchronized InputSide inputErrorSide() {
        return inputErrorSide;
    }

    /** The last stderr line that says something, without ffmpeg's {@code @ 0x...} address; null if none. */
    static String lastMeaningful(List<String> stderrTail) {
        for (int i = stderrTail.size() - 1; i >= 0; i--) {
            String line = stderrTail.get(i);
            if (NOISE.stream().noneMatch(p -> p.matcher(line).matches())) {
                return LOG_CONTEXT.matcher(line.strip()).replaceFirst("[$1] ");
            }
        }
        return null;
    }

    /** libvmaf's last error line among ffmpeg's stdout lines (libvmaf 1.x prints its errors there), or null. */
    static String libvmafError(List<String> stdoutTail) {
        for (int i = stdoutTail.size() - 1; i >= 0; i--) {
            String line = stdoutTail.get(i);
            if (LIBVMAF_INFO.stream().noneMatch(p -> p.matcher(line).matches())) {
                return line.strip();
            }
        }
        return null;
    }
}
