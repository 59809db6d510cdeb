package io.vmafx.rclone;

import io.vmafx.api.uri.RcloneTarget;
import io.vmafx.spi.storage.RcloneControl;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the remote itself says about one path, asked directly with {@code rclone lsjson --stat} (a process of
 * its own, the same rclone and config as the pooled ones, no VFS and so no cached listing in between). One
 * metadata request to the remote plus an rclone start, some tens of milliseconds on a local remote.
 *
 * @param kind    what is there
 * @param size    the object's size in bytes, {@code -1} when unknown (a directory, or not found)
 * @param modTime the object's modification time as the remote gives it (RFC 3339), empty when unknown
 * @param detail  why the kind is {@link Kind#UNKNOWN} (rclone's exit and stderr, or a timeout); empty otherwise
 */
public record RemoteStat(Kind kind, long size, String modTime, String detail) {

    /** What {@code lsjson --stat} found. */
    public enum Kind {
        /** An object. */
        FILE,
        /** A directory (or a bucket). */
        DIRECTORY,
        /** Nothing there: rclone exited with 3 (directory not found) or 4 (file not found). */
        MISSING,
        /** The check failed: the remote refused, did not answer in time, or rclone could not run. */
        UNKNOWN
    }

    private static final System.Logger LOG = System.getLogger(RemoteStat.class.getName());
    private static final Pattern IS_DIR = Pattern.compile("\"IsDir\"\\s*:\\s*(true|false)");
    private static final Pattern SIZE = Pattern.compile("\"Size\"\\s*:\\s*(-?\\d+)");
    private static final Pattern MOD_TIME = Pattern.compile("\"ModTime\"\\s*:\\s*\"([0-9T:.+\\-Z]{1,40})\"");
    /** One entry's JSON is a few hundred characters; the limit only guards against a runaway answer. */
    private static final int MAX_OUTPUT = 64 * 1024;
    private static final Duration STOP_GRACE = Duration.ofSeconds(1);

    /**
     * Asks the remote about {@code remotePath} ({@code media:dir/a.mp4}), waiting at most until {@code deadline}.
     * The rclone process is stopped before this returns, whatever happened.
     *
     * @throws InterruptedException when interrupted while rclone runs (it is stopped first)
     */
    public static RemoteStat of(RcloneTool tool, String remotePath, Deadline deadline) throws InterruptedException {
        long t0 = System.nanoTime();
        List<String> command = tool.command(List.of("lsjson", "--stat", "--no-mimetype", remotePath));
        ChildProcess p;
        try {
            p = ChildProcess.startCapturing("rclone-lsjson", command, Map.of(), MAX_OUTPUT);
        } catch (IOException e) {
            return unknown("cannot start " + tool.binary() + ": " + e.getMessage());
        }
        try {
            if (!p.awaitExit(deadline.remaining())) {
                return unknown("rclone lsjson --stat did not finish within " + deadline.describe() + RcloneErrors.suffix(p.stderrTail()));
            }
            int code = p.exitCode().orElse(-1);
            RemoteStat result;
            if (code == 3 || code == 4) {
                result = new RemoteStat(Kind.MISSING, -1, "", "");
            } else if (code != 0) {
                String tail = p.stderrTail();
                result = unknown("rclone lsjson --stat exited with code " + code + ": " + (tail.isEmpty() ? "(it wrote nothing to stderr)" : tail));
            } else {
                result = parse(p.stdout());
            }
            LOG.log(System.Logger.Level.DEBUG, () -> "rclone lsjson --stat " + remotePath + ": " + result + " in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
            return result;
        } finally {
            p.stop(STOP_GRACE);
        }
    }

    /**
     * {@link #of(RcloneTool, String, Deadline)}, asked of the pooled rclone's remote control when it has one
     * ({@code operations/stat}: the same question, answered through the file system that process opened, not its
     * VFS, in about a millisecond instead of an rclone start). When that process cannot be reached, a process of
     * its own asks.
     *
     * @param control the serving process's remote control, or null
     */
    public static RemoteStat of(RcloneControl control, RcloneTool tool, RcloneTarget target, Deadline deadline)
            throws InterruptedException {
        if (control != null) {
            long t0 = System.nanoTime();
            try {
                RcCall.Answer a = RcCall.post(control, "operations/stat", "{\"fs\":" + RcCall.quote(target.root())
                        + ",\"remote\":" + RcCall.quote(target.path()) + ",\"opt\":{\"noMimeType\":true}}", deadline.remaining());
                if (a.ok()) {
                    RemoteStat result = parseRc(a.body());
                    LOG.log(System.Logger.Level.DEBUG, () -> "rclone rc operations/stat " + target.remotePath() + ": " + result + " in "
                            + (System.nanoTime() - t0) / 1_000 + " us");
                    if (result.kind() != Kind.UNKNOWN) {
                        return result;
                    }
                } else {
                    LOG.log(System.Logger.Level.DEBUG, () -> "rclone rc operations/stat " + target.remotePath() + " answered " + a.status()
                            + "; asking with rclone lsjson --stat");
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "rclone rc at " + control.url() + " cannot be reached (" + e.getMessage()
                        + "); asking with rclone lsjson --stat");
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while asking rclone about " + target.remotePath());
            }
        }
        return of(tool, target.remotePath(), deadline);
    }

    private static final Pattern NO_ITEM = Pattern.compile("\\{\\s*\"item\"\\s*:\\s*null\\s*}");

    /** The answer of {@code operations/stat}: {@code {"item": <an lsjson object>}}, or {@code {"item": null}} when nothing is there. */
    static RemoteStat parseRc(String json) {
        if (NO_ITEM.matcher(json).find()) {
            return new RemoteStat(Kind.MISSING, -1, "", "");
        }
        return parse(json);
    }

    /**
     * What identifies this version of an object as far as a listing can tell: size and modification time. A
     * rewrite with the same size and time is beyond it (the bypass, which must never serve stale bytes, checks
     * hashes as well).
     */
    public String fingerprint() {
        return switch (kind) {
            case FILE -> size + " bytes, modified " + (modTime.isEmpty() ? "(time unknown)" : modTime);
            case DIRECTORY -> "a directory";
            case MISSING -> "gone";
            case UNKNOWN -> "unknown (" + detail + ")";
        };
    }

    /** The answer of a successful {@code lsjson --stat}: one JSON object, pretty-printed or on one line. */
    static RemoteStat parse(String json) {
        Matcher dir = IS_DIR.matcher(json);
        String isDir = null;
        while (dir.find()) {
            isDir = dir.group(1); // the last one: a name can never hold an unescaped quote
        }
        if (isDir == null) {
            return unknown("rclone lsjson --stat answered something unexpected: "
                    + (json.length() > 200 ? json.substring(0, 200) + "..." : json).strip());
        }
        long size = -1;
        Matcher s = SIZE.matcher(json);
        while (s.find()) {
            try {
                size = Long.parseLong(s.group(1));
            } catch (NumberFormatException e) {
                size = -1;
            }
        }
        String modTime = "";
        Matcher t = MOD_TIME.matcher(json);
        while (t.find()) {
            modTime = t.group(1);
        }
        return isDir.equals("true") ? new RemoteStat(Kind.DIRECTORY, -1, "", "") : new RemoteStat(Kind.FILE, size, modTime, "");
    }

    private static RemoteStat unknown(String detail) {
        return new RemoteStat(Kind.UNKNOWN, -1, "", detail);
    }
}
