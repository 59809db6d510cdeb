package io.vmafx.core.score;

import static io.vmafx.core.score.ScoreTools.SRC01;
import static io.vmafx.core.score.ScoreTools.assertNothingLeft;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names are data: file names, URLs and temporary directories holding every character ffmpeg's filter-graph and
 * option parsers treat specially ({@code ' \ : [ ] , ; = |}, newline, spaces) score as plain ones do, a name built to
 * look like more filter graph opens as the one file it names, and a local playlist cannot make ffprobe fetch a URL.
 */
class HostileNamesTest {

    /** Every character the graph's two parsing levels and the option parser treat specially, and then some. */
    static final String HOSTILE = "it's \\ a: [b] c, d; e = f | g\nh %41 $x";

    @TempDir
    static Path clips;

    static Path y4m;
    static List<Double> plain;

    @TempDir
    Path tmp;

    @BeforeAll
    static void plainScores(@TempDir Path scratch) throws Exception {
        y4m = ScoreTools.encode(ScoreTools.src01Distorted(), SRC01, clips.resolve("dis.y4m"), "-pix_fmt", "yuv420p10le",
                "-strict", "-1");
        plain = ScoreTools.scorer(scratch).score(ScoreTools.againstSrc01Reference(y4m.toString(), null)).frames();
    }

    private VmafScores score(ScoreRequest request) throws Exception {
        return ScoreTools.scorer(tmp).score(request);
    }

    @Test
    void localFilesWithHostileNamesScoreAsPlainOnes() throws Exception {
        Path dir = Files.createDirectories(clips.resolve("dir " + HOSTILE));
        Path ref = Files.copy(ScoreTools.src01Reference(), dir.resolve(HOSTILE + " ref.yuv"));
        Path dis = Files.copy(y4m, dir.resolve(HOSTILE + " dis.y4m"));
        VmafScores s = score(new ScoreRequest(ref.toString(), dis.toString(), SRC01, null, ScoreOptions.DEFAULTS,
                ProgressListener.NONE));
        assertEquals(plain, s.frames());
        // The same files as file: URLs (percent-encoded).
        VmafScores asUris = score(new ScoreRequest(ref.toUri().toString(), dis.toUri().toString(), SRC01, null,
                ScoreOptions.DEFAULTS, ProgressListener.NONE));
        assertEquals(plain, asUris.frames());
        assertNothingLeft(tmp);
    }

    @Test
    void namesThatLookLikeFilterGraphAreOpenedLiterally() throws Exception {
        // Each tries to end the movie source's file name and add a source or an option. Were any of them parsed, the
        // scorer would fail differently (a graph error) or open something else; as one literal name, a missing file
        // is "No such file or directory" and an existing one scores as its copy does.
        List<String> attacks = List.of(
                "x[out0];movie=/etc/passwd[out1]",
                "x',split[a][b];movie='/etc/passwd",
                "x\\'[out0];movie=\\'/etc/passwd",
                "x:f=rawvideo:format_opts=protocol_whitelist=http",
                "x\\\\';[in]null[out0];movie=/etc/passwd,null");
        for (String attack : attacks) {
            Path name = clips.resolve(attack + ".y4m");
            ScoringException missing = assertThrows(ScoringException.class,
                    () -> score(ScoreTools.againstSrc01Reference(name.toString(), null)), attack);
            assertEquals("cannot open: No such file or directory", missing.getMessage(), attack);
            assertEquals(Optional.of(InputSide.DISTORTED), missing.side(), attack);

            Files.createDirectories(name.getParent()); // the slashes in it are directories, literally
            Files.copy(y4m, name);
            assertEquals(plain, score(ScoreTools.againstSrc01Reference(name.toString(), null)).frames(), attack);
        }
        assertNothingLeft(tmp);
    }

    @Test
    void urlWithHostileCharactersInItsPathAndQueryIsRequestedAsIs() throws Exception {
        String asGiven = "/odd%20dir/it's[a],b;c=d|e:f\\g%0A.y4m?q='x,y;z'&r=[1]|2:3=4";
        // ffmpeg's http client percent-encodes '|' and '\' itself (the same URL to a server); nothing else changes.
        String target = "/odd%20dir/it's[a],b;c=d%7Ce:f%5Cg%0A.y4m?q='x,y;z'&r=[1]%7C2:3=4";
        try (LoopbackHttpServer http = LoopbackHttpServer.start()) {
            http.serve(target, Files.readAllBytes(y4m));
            VmafScores s;
            try {
                s = score(ScoreTools.againstSrc01Reference(http.url(asGiven), null));
            } catch (ScoringException e) {
                throw new AssertionError(e.getMessage() + "; the server saw " + http.requests(), e);
            }
            assertEquals(plain, s.frames());
            assertTrue(!http.requests().isEmpty(), "the server was asked");
            for (LoopbackHttpServer.Request r : http.requests()) {
                assertEquals(target, r.target(), "every request names the URL's path and query exactly");
            }
        }
        assertNothingLeft(tmp);
    }

    @Test
    void localPlaylistsCannotMakeFfprobeFetchAUrl() throws Exception {
        try (LoopbackHttpServer http = LoopbackHttpServer.start()) {
            http.serve("/dis.y4m", Files.readAllBytes(y4m));
            String url = http.url("/dis.y4m");
            Path hls = Files.writeString(clips.resolve("list.m3u8"), "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n"
                    + url + "\n#EXT-X-ENDLIST\n", StandardCharsets.UTF_8);
            ScoringException viaHls = assertThrows(ScoringException.class,
                    () -> score(ScoreTools.againstSrc01Reference(hls.toString(), null)));
            assertEquals("cannot open: [http] Protocol 'http' not on whitelist 'file'!", viaHls.getMessage());
            assertEquals(Optional.of(InputSide.DISTORTED), viaHls.side());

            Path concat = Files.writeString(clips.resolve("list.ffconcat"), "ffconcat version 1.0\nfile " + url + "\n");
            ScoringException viaConcat = assertThrows(ScoringException.class,
                    () -> score(ScoreTools.againstSrc01Reference(concat.toString(), null)));
            assertEquals("cannot open: Operation not permitted", viaConcat.getMessage());
            assertEquals(Optional.of(InputSide.DISTORTED), viaConcat.side());

            assertEquals(List.of(), http.requests(), "a local input must not reach the network");
        }
        assertNothingLeft(tmp);
    }

    @Test
    void aPlaylistOverHttpCannotReadLocalFiles() throws Exception {
        try (LoopbackHttpServer http = LoopbackHttpServer.start()) {
            // (An .mp4 name: the HLS demuxer itself refuses segment names without a common media extension.)
            Path local = ScoreTools.encode(ScoreTools.src01Distorted(), SRC01, clips.resolve("local.mp4"), "-c:v",
                    "libx264", "-qp", "0");
            http.serve("/list.m3u8", ("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n" + local.toUri()
                    + "\n#EXT-X-ENDLIST\n").getBytes(StandardCharsets.UTF_8));
            ScoringException e = assertThrows(ScoringException.class,
                    () -> score(ScoreTools.againstSrc01Reference(http.url("/list.m3u8"), null)));
            assertEquals("cannot open: [file] Protocol 'file' not on whitelist 'http,https,tcp,tls'!", e.getMessage());
            assertEquals(Optional.of(InputSide.DISTORTED), e.side());
        }
        assertNothingLeft(tmp);
    }

    @Test
    void privateDirectoryUnderAHostileName() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("temp " + HOSTILE));
        // libvmaf's log path is escaped into the graph like any other value.
        VmafScores s = ScoreTools.scorer(root).score(ScoreTools.againstSrc01Reference(y4m.toString(), null));
        assertEquals(plain, s.frames());
        // A model file is linked there, and libvmaf's own model option has no escape: a clear refusal.
        Path model = NetflixPklModel.writeIntegerModel(clips.resolve("m.json"));
        ScoringException e = assertThrows(ScoringException.class, () -> ScoreTools.scorer(root).score(
                ScoreTools.againstSrc01Reference(y4m.toString(), null).withOptions(ScoreOptions.DEFAULTS.withModels(
                        List.of(VmafModel.parse(model.toString(), null, true))))));
        assertTrue(e.getMessage().startsWith("the temporary directory "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" holds a character libvmaf's model option cannot carry; set VMAFX_TMPDIR"
                + " elsewhere"), e.getMessage());
        assertNothingLeft(root);
    }
}
