package io.vmafx.core.batch;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The results of a batch, one JSON line a pair, appended as each pair ends:
 * {@code {"key", "line", "pair", "reference_uri", "distorted_uri", "result": <score --json>}} or, for a failure,
 * {@code {..., "error": "..."}}. It is also the batch's memory: {@link #open} reads what an earlier run wrote, so that
 * pairs whose key has a result are skipped (a failed pair is tried again, and its new line supersedes the old one).
 *
 * <p>Lines are written whole with one {@code write} each and flushed, so a run killed at any point leaves at most a
 * torn last line; {@link #open} ignores lines that are not JSON (and counts them) and starts the next write on a line
 * of its own. Only a {@link Summary} per key is held, not the results.
 */
final class ResultsFile implements AutoCloseable {

    private final Path path;
    private final Map<String, Summary> byKey;
    private final int unreadable;
    private final OutputStream out;

    private ResultsFile(Path path, Map<String, Summary> byKey, int unreadable, OutputStream out) {
        this.path = path;
        this.byKey = byKey;
        this.unreadable = unreadable;
        this.out = out;
    }

    /** Reads {@code path} if it exists (streaming, line by line) and opens it for appending. */
    @SuppressWarnings("unchecked")
    static ResultsFile open(Path path) throws BadPairsFile {
        Map<String, Summary> byKey = new HashMap<>();
        int unreadable = 0;
        boolean endsWithNewline = true;
        try {
            if (Files.exists(path)) {
                if (!Files.isRegularFile(path)) {
                    throw new BadPairsFile(path + ": the results file is not a regular file");
                }
                try (BufferedReader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        if (line.isBlank()) {
                            continue;
                        }
                        Map<String, Object> m;
                        try {
                            m = JSON.std.mapFrom(line);
                        } catch (IOException | RuntimeException e) {
                            m = null;
                        }
                        if (m == null || !(m.get("key") instanceof String key)) {
                            unreadable++;
                            continue;
                        }
                        byKey.put(key, summary(m));
                    }
                }
                endsWithNewline = endsWithNewline(path);
            }
            OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
            if (!endsWithNewline) {
                out.write('\n');
                out.flush();
            }
            return new ResultsFile(path, byKey, unreadable, out);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new BadPairsFile(path + ": the results file is not UTF-8 text (not one this command wrote?)");
        } catch (IOException e) {
            throw new BadPairsFile(path + ": the results file cannot be used: " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static Summary summary(Map<String, Object> m) {
        String pair = String.valueOf(m.get("pair"));
        String ref = String.valueOf(m.get("reference_uri"));
        String dis = String.valueOf(m.get("distorted_uri"));
        if (m.get("error") != null || !(m.get("result") instanceof Map<?, ?>)) {
            return Summary.failure(pair, ref, dis, m.get("error") == null ? "no result" : String.valueOf(m.get("error")));
        }
        return Summary.of(pair, ref, dis, (Map<String, Object>) m.get("result"));
    }

    private static boolean endsWithNewline(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                return true;
            }
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            ch.read(b, size - 1);
            return b.get(0) == '\n';
        }
    }

    /** Whether {@code key} was scored (by this run or an earlier one). */
    synchronized boolean scored(String key) {
        Summary s = byKey.get(key);
        return s != null && !s.failed();
    }

    /** The latest summary of {@code key}, or null. */
    synchronized Summary summary(String key) {
        return byKey.get(key);
    }

    /** Lines of the file that were not results (a torn last line of a killed run). */
    int unreadable() {
        return unreadable;
    }

    /** Appends {@code job}'s result (or, with {@code result} null, its {@code error}) and returns its summary. */
    synchronized Summary append(PairJob job, Map<String, Object> result, String error) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", job.key());
        m.put("line", job.line());
        m.put("pair", job.pair());
        m.put("reference_uri", job.request().reference());
        m.put("distorted_uri", job.request().distorted());
        Summary s;
        if (result != null) {
            m.put("result", result);
            s = Summary.of(job.pair(), job.request().reference(), job.request().distorted(), result);
        } else {
            m.put("error", error);
            s = Summary.failure(job.pair(), job.request().reference(), job.request().distorted(), error);
        }
        byte[] bytes = (JSON.std.asString(m) + "\n").getBytes(StandardCharsets.UTF_8);
        out.write(bytes);
        out.flush();
        byKey.put(job.key(), s);
        return s;
    }

    Path path() {
        return path;
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
