package io.vmafx.rclone;

import io.vmafx.api.uri.RcloneTarget;
import io.vmafx.spi.storage.RcloneControl;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The read check a pooled input carries ({@code PreparedInput.withReadCheck}), run by the executor once the scorer
 * is done: what was read is trusted only when
 * <ul>
 *   <li>the rclone process (or mount) that served the lease is still alive: a killed rclone cuts the read short,
 *       and ffmpeg takes that for the end of the file;</li>
 *   <li>that rclone said nothing of a full cache disk while the job read (its VFS cache then answers short reads);</li>
 *   <li>the object, asked of the remote directly ({@link RemoteStat}), has the size and modification time it had when
 *       the job was prepared: a file replaced, cut or deleted while read gives frames of two versions, or fewer.</li>
 * </ul>
 */
public final class ReadCheck {

    private ReadCheck() {
    }

    /** How long the check's own look at the remote may take. */
    static final Duration STAT_TIMEOUT = Duration.ofSeconds(20);

    /**
     * The whole check for an object read through {@code member}.
     *
     * @param stderrSincePrepare the member's stderr since the prepare began
     * @param atPrepare          what the remote said of the object when the job was prepared
     */
    public static Supplier<Optional<String>> of(PooledMember member, Supplier<String> stderrSincePrepare, RcloneTool tool,
                                                String remotePath, RemoteStat atPrepare) {
        return of(member, stderrSincePrepare, () -> RemoteStat.of(tool, remotePath, Deadline.after(STAT_TIMEOUT)), atPrepare);
    }

    /**
     * The whole check, the remote asked through {@code control} (the serving process's remote control, or null: a
     * process of its own then).
     */
    public static Supplier<Optional<String>> of(PooledMember member, Supplier<String> stderrSincePrepare, RcloneControl control,
                                                RcloneTool tool, RcloneTarget target, RemoteStat atPrepare) {
        return of(member, stderrSincePrepare, () -> RemoteStat.of(control, tool, target, Deadline.after(STAT_TIMEOUT)), atPrepare);
    }

    /** How the check looks at the remote after the read. */
    interface StatNow {
        RemoteStat get() throws InterruptedException;
    }

    private static Supplier<Optional<String>> of(PooledMember member, Supplier<String> stderrSincePrepare, StatNow statNow,
                                                 RemoteStat atPrepare) {
        Supplier<Optional<String>> alive = memberAlive(member);
        // The cause before its effects: an object cut while read can leave the mount's read blocked until the stall
        // watchdog aborts the mount, and a full disk makes rclone fail; the remote is asked directly either way.
        return () -> {
            Optional<String> changed = changedSince(statNow, atPrepare);
            if (changed.isPresent()) {
                return changed;
            }
            Optional<String> full = cacheDiskFull(stderrSincePrepare.get());
            if (full.isPresent()) {
                return full;
            }
            return alive.get();
        };
    }

    /** Why the reads cannot be trusted when rclone reported a full disk in {@code stderr}; empty otherwise. */
    static Optional<String> cacheDiskFull(String stderr) {
        for (String line : stderr.split(java.util.regex.Pattern.quote(" | "))) {
            if (line.toLowerCase(Locale.ROOT).contains("no space left on device")) {
                String said = line.strip();
                return Optional.of("cache disk full: rclone's VFS cache (VMAFX_CACHE_DIR) ran out of space while the job"
                        + " read, so what was read may be incomplete (rclone: "
                        + (said.length() > 300 ? said.substring(0, 300) + "..." : said) + ")");
            }
        }
        return Optional.empty();
    }

    /** Why the object is not what it was at {@code atPrepare}, asked of the remote now; empty when it is the same. */
    static Optional<String> changedSince(RcloneTool tool, String remotePath, RemoteStat atPrepare) {
        return changedSince(() -> RemoteStat.of(tool, remotePath, Deadline.after(STAT_TIMEOUT)), atPrepare);
    }

    static Optional<String> changedSince(StatNow statNow, RemoteStat atPrepare) {
        if (atPrepare.kind() != RemoteStat.Kind.FILE) {
            return Optional.empty(); // nothing to compare with: the prepare itself decided
        }
        RemoteStat now;
        try {
            now = statNow.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("cancelled while checking that the object did not change");
        }
        if (now.kind() == RemoteStat.Kind.MISSING) {
            return Optional.of("deleted while read (it was " + atPrepare.fingerprint() + ")");
        }
        if (now.kind() == RemoteStat.Kind.UNKNOWN) {
            return Optional.of("cannot tell whether it changed while read: " + now.detail());
        }
        if (!now.fingerprint().equals(atPrepare.fingerprint())) {
            return Optional.of("changed while read: it was " + atPrepare.fingerprint() + " when the job began, it is "
                    + now.fingerprint() + " now");
        }
        return Optional.empty();
    }

    /** Empty while {@code member} is alive; otherwise why the bytes read through it cannot be trusted. */
    public static Supplier<Optional<String>> memberAlive(PooledMember member) {
        return () -> member.isAlive() ? Optional.empty()
                : Optional.of(member + " stopped while ffmpeg was reading; what was read may be incomplete");
    }
}
