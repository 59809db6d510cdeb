package io.vmafx.core.score;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The lavfi filter graphs {@link LibvmafScorer} runs: a probe that opens both inputs, and the scoring graph.
 *
 * <p>Every value from outside (a file name, a URL, a model path) goes through {@link #escape}, which quotes it
 * for the filter's option parser and backslash-escapes it for the graph parser, so no name can add an option, a
 * filter or a link. Inputs are {@code movie} sources named {@code movie@reference} and {@code movie@distorted}, so
 * ffmpeg's messages about them say which input they are about; each may use only the protocols its location
 * needs (a local file cannot pull in a URL through a playlist).
 *
 * <p>The scoring graph re-times both inputs to one frame per tick (frames pair by index, as Netflix's tools do),
 * splits each so that a second branch counts its frames in full, converts the distorted video to the
 * reference's size and both to one pixel format libvmaf reads, and feeds libvmaf with {@code shortest=1}:
 * <pre>
 *   movie@reference=R,settb=1,setpts=N,split[r][rc]; movie@distorted=D,settb=1,setpts=N,split[d][dc];
 *   [d]scale=W:H:flags=bicubic,format=F[ds]; [r]format=F[rs];
 *   [ds][rs]libvmaf=...[out0]; [dc]null[out1]; [rc]null[out2]
 * </pre>
 * Output 0 carries one frame per compared pair, 1 one per distorted frame, 2 one per reference frame.
 */
final class FilterGraph {

    /** Output indices of the scoring graph. */
    static final int COMPARED = 0;
    static final int DISTORTED_FRAMES = 1;
    static final int REFERENCE_FRAMES = 2;

    /** The pixel formats libvmaf 2.3's filter reads; anything else would be converted behind our back. */
    static final List<String> LIBVMAF_FORMATS = List.of("yuv420p", "yuv422p", "yuv444p",
            "yuv420p10le", "yuv422p10le", "yuv444p10le");
    /** Characters the graph parser treats specially (the second level). */
    private static final String GRAPH_SPECIALS = "\\'[],;";
    private static final Pattern URL = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*", Pattern.DOTALL);
    private static final Pattern DEPTH = Pattern.compile(".*?p?(9|10|12|14|16)(le|be)$");

    private FilterGraph() {
    }

    /**
     * {@code value} escaped for both levels of ffmpeg's filter-graph parsing: quoted for the filter's option parser
     * ({@code '...'}, a quote as {@code '\''}), then every {@code \ ' [ ] , ;} backslash-escaped for the graph parser.
     */
    static String escape(String value) {
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

    /** Whether {@code location} is a URL rather than a local path. */
    static boolean isUrl(String location) {
        return URL.matcher(location).matches() && !location.regionMatches(true, 0, "file:", 0, 5);
    }

    /**
     * What the movie source opens for {@code location}: a URL as it is, a {@code file:} URL or a path as an absolute
     * path (a relative name like {@code a:b.y4m} would otherwise be taken for protocol {@code a}).
     */
    static String openName(String location) {
        if (isUrl(location)) {
            return location;
        }
        if (location.regionMatches(true, 0, "file:", 0, 5)) {
            return Path.of(java.net.URI.create(location)).toString();
        }
        return Path.of(location).toAbsolutePath().normalize().toString();
    }

    /**
     * The movie source of one input, without its output label.
     *
     * @param networkOptions extra demuxer/protocol options for a URL, {@code key=value} pairs (e.g. {@code rw_timeout})
     */
    static String source(InputSide side, String location, RawVideoFormat raw, List<String> networkOptions) {
        List<String> formatOptions = new ArrayList<>();
        if (isUrl(location)) {
            formatOptions.add("protocol_whitelist=http,https,tcp,tls");
            formatOptions.addAll(networkOptions);
        } else {
            formatOptions.add("protocol_whitelist=file");
        }
        StringBuilder s = new StringBuilder("movie@").append(side.label()).append('=').append(escape(openName(location)));
        if (raw != null) {
            s.append(":f=rawvideo");
            formatOptions.add("video_size=" + raw.size());
            formatOptions.add("pixel_format=" + raw.pixFmt());
        }
        s.append(":format_opts=").append(escape(String.join(":", formatOptions)));
        return s.toString();
    }

    /** A graph that only opens both inputs: output 0 is the reference, 1 the distorted video. */
    static String probe(ScoreRequest r, List<String> networkOptions) {
        return source(InputSide.REFERENCE, r.reference(), r.referenceRaw(), networkOptions) + "[out0];"
                + source(InputSide.DISTORTED, r.distorted(), r.distortedRaw(), networkOptions) + "[out1]";
    }

    /**
     * The pixel format both inputs are scored in: the reference's chroma layout (4:2:0 for anything libvmaf cannot
     * read, such as gray or RGB) at the higher of the two bit depths, 10 bits at most (libvmaf 2.3's filter reads
     * 8 and 10; a 12-bit input is scored at 10).
     */
    static String commonFormat(VideoFormat reference, VideoFormat distorted) {
        int depth = Math.max(depth(reference.pixFmt()), depth(distorted.pixFmt())) > 8 ? 10 : 8;
        String chroma = chroma(reference.pixFmt());
        return "yuv" + chroma + "p" + (depth > 8 ? "10le" : "");
    }

    /** Bits per sample of an ffmpeg pixel format name. */
    static int depth(String pixFmt) {
        var m = DEPTH.matcher(pixFmt.toLowerCase(Locale.ROOT));
        return m.matches() ? Integer.parseInt(m.group(1)) : pixFmt.startsWith("p010") ? 10 : 8;
    }

    private static String chroma(String pixFmt) {
        String f = pixFmt.toLowerCase(Locale.ROOT);
        if (f.startsWith("yuv422") || f.startsWith("yuvj422")) {
            return "422";
        }
        if (f.startsWith("yuv444") || f.startsWith("yuvj444")) {
            return "444";
        }
        return "420";
    }

    /**
     * The scoring graph.
     *
     * @param models   the libvmaf {@code model=} entries, already built ({@link #modelOption})
     * @param log      where libvmaf writes its JSON log
     */
    static String score(ScoreRequest r, VideoFormat reference, VideoFormat distorted, String models, Path log,
                        int threads, List<String> networkOptions) {
        ScoreOptions o = r.options();
        String format = commonFormat(reference, distorted);
        StringBuilder g = new StringBuilder();
        g.append(source(InputSide.REFERENCE, r.reference(), r.referenceRaw(), networkOptions))
                .append(",settb=1,setpts=N,split[r][rc];");
        g.append(source(InputSide.DISTORTED, r.distorted(), r.distortedRaw(), networkOptions))
                .append(",settb=1,setpts=N,split[d][dc];");
        String dis = "d";
        if (!distorted.sameSize(reference) || !distorted.pixFmt().equals(format)) {
            g.append("[d]");
            if (!distorted.sameSize(reference)) {
                g.append("scale=").append(reference.width()).append(':').append(reference.height())
                        .append(":flags=").append(o.scaling().flag()).append(',');
            }
            g.append("format=").append(format).append("[ds];");
            dis = "ds";
        }
        String ref = "r";
        if (!reference.pixFmt().equals(format)) {
            g.append("[r]format=").append(format).append("[rs];");
            ref = "rs";
        }
        g.append('[').append(dis).append("][").append(ref).append("]libvmaf=model=").append(escape(models));
        if (!o.features().isEmpty()) {
            List<String> names = o.features().stream().map(f -> "name=" + f.libvmafName()).toList();
            g.append(":feature=").append(escape(String.join("|", names)));
        }
        g.append(":log_fmt=json:log_path=").append(escape(log.toString()))
                .append(":n_threads=").append(threads)
                .append(":n_subsample=").append(o.subsample())
                .append(":shortest=1[out0];[dc]null[out1];[rc]null[out2]");
        return g.toString();
    }

    /**
     * libvmaf's {@code model} option for {@code options}' models: {@code version=V:name=N[:enable_transform=true]}
     * or {@code path=P:name=N...}, joined by {@code |}. {@code files} holds, for each file model, a path without
     * {@code : | = \ '} (the caller links the model there), since libvmaf's own parser splits on those.
     */
    static String modelOption(ScoreOptions options, List<Path> files) {
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < options.models().size(); i++) {
            VmafModel m = options.models().get(i);
            String source = m.version().map(v -> "version=" + v).orElseGet(() -> "path=" + filesFor(files, options, m));
            entries.add(source + ":name=" + options.metricName(0 == i ? 0 : i) + (m.phone() ? ":enable_transform=true" : ""));
        }
        return String.join("|", entries);
    }

    private static Path filesFor(List<Path> files, ScoreOptions options, VmafModel model) {
        int n = 0;
        for (VmafModel m : options.models()) {
            if (m == model) {
                return files.get(n);
            }
            if (m.file() != null) {
                n++;
            }
        }
        throw new IllegalStateException("no file for " + model);
    }

    /** Whether {@code path} can stand in libvmaf's model option unescaped. */
    static boolean safeInModelOption(String path) {
        for (char c : path.toCharArray()) {
            if (":|=\\'\",;[]".indexOf(c) >= 0 || Character.isISOControl(c)) {
                return false;
            }
        }
        return true;
    }
}
