package io.vmafx.bypass.ebpf.cache;

import io.vmafx.spi.bypass.BypassDecision;
import io.vmafx.spi.storage.RcloneControl;
import io.vmafx.spi.storage.VfsCacheLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cache decision: whether ffmpeg may read rclone's VFS cache data file of an input instead of its FUSE path.
 * Only when it is provably warm, complete and fresh; otherwise a decline with the reason, and the job reads through
 * FUSE (which warms the cache for the next one).
 *
 * <p>{@link #decide} bypasses only when all of these hold, checked in this order (cheap local checks first):
 * <ol>
 * <li>the metadata {@code <cacheDir>/vfsMeta/<fs name>/<fs root>/<path>} and the data file
 *     {@code <cacheDir>/vfs/<fs name>/<fs root>/<path>} exist ({@link RemoteFs} says how rclone names the
 *     directory) and the metadata parses ({@link VfsMeta});</li>
 * <li>{@code Dirty} is false;</li>
 * <li>the ranges {@code Rs} cover {@code [0, Size)};</li>
 * <li>the fingerprint's size, modification time and hash (those it has: rclone leaves out what the backend lacks)
 *     agree with a fresh {@code rclone lsjson --stat} of the remote object, the same comparison rclone makes
 *     before serving its cache (a fingerprint with neither a time nor a hash is declined: a change of the same
 *     size would not show);</li>
 * <li>a hard link to the data file is made in the node's private directory ({@link LinkArea}); the link, opened,
 *     is a regular file of that size; the metadata read again describes the same item (all fields but the access
 *     time); and the data file's path still names the linked inode. So rclone did not evict or replace the file
 *     between the checks and the link, and the metadata read last describes the very inode ffmpeg gets.</li>
 * </ol>
 * A race (the cache file changed while checked) is retried once. Every exception is a decline: a bypass never
 * fails a job.
 *
 * <p>The decision ffmpeg gets holds the link, whose path it reads; rclone may evict or replace its cache file
 * meanwhile, the job still reads the bytes it was given to the end. {@link BypassDecision#close()} removes the
 * link and its directory. After a bypass, the FUSE path (or, for {@code rclone serve http}, the input's URL) gets a
 * one-byte read ({@link AccessToucher}, at most once a minute per cache file) so rclone records the access and does not
 * evict a file that is used only through the bypass.
 *
 * <p>What the link does not cover: rclone rewrites a cache file in place (instead of unlinking it) only when its
 * cache disk is full and the item is open through FUSE at that moment ({@code Item.Reset}: truncated to 0 and back
 * to its size, then fetched again as readers need it); the link shares that inode. Give the cache file system room
 * beyond {@code --vfs-cache-max-size} (rclone does not count the bytes links keep alive after it evicted a file).
 * The bypass is as fresh as rclone's own cache: it compares the same fingerprint rclone does.
 *
 * <p>Thread-safe: core offers many inputs at once.
 */
public final class CacheBypass implements AutoCloseable {

    /** How long one rclone call (identity, stat) may take before the input is declined. */
    public static final Duration REMOTE_TIMEOUT = Duration.ofSeconds(10);
    private static final System.Logger LOG = System.getLogger(CacheBypass.class.getName());
    /** Characters rclone's file name encoder (Base, on Linux) writes differently or escapes in the cache. */
    private static final String ENCODED = "\u0000\u2400\uFF0F\uFF0E\u201B";

    private final RemoteCheck remote;
    /** One check per serving process's remote control, each falling back on {@link #remote}. */
    private final Map<RcloneControl, RemoteCheck> controls = new ConcurrentHashMap<>();
    private final VerifiedHashes verified = new VerifiedHashes();
    private final AtomicLong hashesRemembered = new AtomicLong();
    private final AtomicLong hashesChecked = new AtomicLong();
    private final BypassCounters counters;
    private final AccessToucher toucher;
    private final Map<Path, LinkArea> areas = new ConcurrentHashMap<>();
    private final AtomicLong cleanupFailures = new AtomicLong();
    private final AtomicLong staleRemoved = new AtomicLong();
    private volatile boolean closed;

    /** A decision that asks {@code rclone} about remotes, counting into {@code counters}. */
    public CacheBypass(Rclone rclone, BypassCounters counters) {
        this(new RcloneRemoteCheck(rclone, REMOTE_TIMEOUT), counters, true);
    }

    /** For tests: another remote check; {@code touch} false leaves the FUSE path alone. */
    CacheBypass(RemoteCheck remote, BypassCounters counters, boolean touch) {
        this.remote = Objects.requireNonNull(remote, "remote");
        this.counters = Objects.requireNonNull(counters, "counters");
        this.toucher = touch ? new AccessToucher() : null;
    }

    /**
     * Removes link directories that node processes which are gone left below these cache directories (those that
     * do not exist are skipped). Call once at start; a cache directory first seen later is cleaned then.
     */
    public void cleanStale(Collection<Path> cacheDirs) {
        staleRemoved.addAndGet(removeStaleLinks(cacheDirs));
    }

    /**
     * {@link #cleanStale} without a bypass: what the provider's {@code reapLeftovers} runs when a node starts, with
     * the bypass on or off, so links a killed node left do not wait for the next node that turns it on.
     *
     * @return how many link directories were removed
     */
    public static int removeStaleLinks(Collection<Path> cacheDirs) {
        int removed = 0;
        for (Path dir : cacheDirs) {
            removed += LinkArea.cleanStale(dir.toAbsolutePath().normalize());
        }
        return removed;
    }

    /** An internal decline: why, with a detail; no stack trace (it is control flow). */
    private static final class Declined extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Decline why;
        final String detail;

        Declined(Decline why, String detail) {
            super(why.sentence(detail), null, false, false);
            this.why = why;
            this.detail = detail;
        }
    }

    private static Declined declined(Decline why, String detail) {
        return new Declined(why, detail);
    }

    /**
     * The decision for the input rclone caches at {@code location}: its cache file's link, or a decline with the
     * reason. Counts the offer. Never throws.
     */
    public BypassDecision decide(VfsCacheLocation location) {
        return decide(location, location.fusePath() == null ? null : AccessToucher.Touch.fuse(location.fusePath()));
    }

    /**
     * The decision for an input that {@code rclone serve http} reads from the cache at {@code location}: as
     * {@link #decide(VfsCacheLocation)}, and after a bypass, byte 0 is fetched from {@code httpLocation} (the input's
     * URL, with the serve process's credentials) so that the serve process records the access. Never throws.
     */
    public BypassDecision decideServed(VfsCacheLocation location, String httpLocation) {
        AccessToucher.Touch touch;
        try {
            touch = AccessToucher.Touch.http(httpLocation);
        } catch (IllegalArgumentException e) {
            counters.offered();
            return counters.decline(Decline.ERROR, "the input's URL: " + e.getMessage());
        }
        return decide(location, touch);
    }

    private BypassDecision decide(VfsCacheLocation location, AccessToucher.Touch touch) {
        counters.offered();
        for (int attempt = 1; ; attempt++) {
            try {
                return attempt(location, touch);
            } catch (Declined d) {
                if (d.why == Decline.RACE && attempt < 2) {
                    continue;
                }
                return counters.decline(d.why, d.detail);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return counters.decline(Decline.INTERRUPTED, null);
            } catch (Exception | StackOverflowError | AssertionError e) {
                LOG.log(System.Logger.Level.DEBUG, "bypass: deciding " + location + " failed", e);
                return counters.decline(Decline.ERROR, describe(e));
            }
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    private BypassDecision attempt(VfsCacheLocation loc, AccessToucher.Touch touch) throws Declined, InterruptedException, IOException {
        if (closed) {
            throw declined(Decline.CLOSED, null);
        }
        String path = loc.path();
        if (path.isEmpty() || path.chars().anyMatch(c -> ENCODED.indexOf(c) >= 0)) {
            throw declined(Decline.UNSUPPORTED_PATH, null);
        }
        Path cacheDir = loc.cacheDir().toAbsolutePath().normalize();
        RemoteCheck remote = checkFor(loc);
        RemoteFs fs;
        try {
            fs = remote.resolve(loc.remoteRoot());
        } catch (RemoteCheck.RemoteException e) {
            throw declined(Decline.REMOTE_UNKNOWN, e.getMessage());
        }
        Path metaFile = below(fs.metaDir(cacheDir), path);
        Path dataFile = below(fs.dataDir(cacheDir), path);

        // 1-3: the metadata, as rclone last saved it: present, parsable, clean, complete.
        VfsMeta m1;
        try {
            m1 = readMeta(metaFile, Decline.BAD_METADATA);
        } catch (NoSuchFileException e) {
            throw declined(Decline.NOT_CACHED, null);
        }
        if (!Files.isRegularFile(dataFile, LinkOption.NOFOLLOW_LINKS)) {
            throw declined(Decline.NOT_CACHED, null);
        }
        if (m1.dirty()) {
            throw declined(Decline.DIRTY, null);
        }
        if (!m1.complete()) {
            throw declined(Decline.INCOMPLETE, m1.percentCached() + "% cached");
        }
        if (m1.fingerprint().isEmpty()) {
            // rclone 1.60 saves the new item it makes after dropping a stale one without a fingerprint, and sets one
            // (the remote's, then) on the next FUSE open: until then nothing says which object the bytes are of.
            throw declined(Decline.UNVERIFIABLE, "rclone has not fingerprinted the cached data yet");
        }
        Fingerprint fp;
        try {
            fp = Fingerprint.parse(m1.fingerprint());
        } catch (VfsMeta.FormatException e) {
            throw declined(Decline.BAD_METADATA, e.getMessage());
        }
        if (fp.size() != m1.size()) {
            throw declined(Decline.BAD_METADATA, "the fingerprint says " + fp.size() + " bytes, the metadata " + m1.size());
        }
        if (!fp.hasModTimeOrHash()) {
            throw declined(Decline.UNVERIFIABLE, "rclone's fingerprint of it holds only the size");
        }

        // 4: the remote object now, against the fingerprint.
        verifyFresh(remote, loc, fp, VerifiedHashes.key(cacheDir.toString(), loc.remoteRoot(), path, m1.fingerprint()));

        // 5: pin the inode, then check that it is the one the metadata describes.
        LinkArea area = area(cacheDir);
        LinkArea.Link link;
        try {
            link = area.link(dataFile, fileName(path));
        } catch (NoSuchFileException e) {
            throw declined(Decline.NOT_CACHED, "evicted while being checked");
        } catch (IOException e) {
            throw declined(Decline.LINK_FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        boolean handedOut = false;
        try {
            BasicFileAttributes linked = Files.readAttributes(link.path(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            long opened;
            try (FileChannel ch = FileChannel.open(link.path(), StandardOpenOption.READ)) {
                opened = ch.size();
            }
            if (!linked.isRegularFile() || opened != m1.size()) {
                throw declined(Decline.RACE, "the data file has " + opened + " bytes, the metadata says " + m1.size());
            }
            VfsMeta m2;
            try {
                m2 = readMeta(metaFile, Decline.RACE);
            } catch (NoSuchFileException e) {
                throw declined(Decline.RACE, "its metadata was removed");
            }
            if (!m2.sameItemAs(m1)) {
                throw declined(Decline.RACE, "its metadata changed");
            }
            BasicFileAttributes now;
            try {
                now = Files.readAttributes(dataFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                throw declined(Decline.RACE, "evicted while being checked");
            }
            if (linked.fileKey() == null || !linked.fileKey().equals(now.fileKey())) {
                throw declined(Decline.RACE, "replaced while being checked");
            }
            if (toucher != null && touch != null) {
                toucher.touchAtMostEveryInterval(dataFile.toString(), touch, AccessToucher.WAIT_MILLIS);
            }
            counters.bypassed(m1.size());
            handedOut = true;
            LOG.log(System.Logger.Level.DEBUG, () -> "bypass: " + loc.remoteRoot() + path + " read from " + link.path());
            return BypassDecision.bypass(link.path().toString(), () -> release(area, link));
        } finally {
            if (!handedOut) {
                area.release(link);
            }
        }
    }

    /** The remote check for {@code loc}: its serving process's remote control when it has one, else rclone runs. */
    private RemoteCheck checkFor(VfsCacheLocation loc) {
        RcloneControl c = loc.control();
        if (c == null) {
            return remote;
        }
        if (controls.size() > 256) {
            controls.clear(); // processes come and go; this bounds what the gone ones leave
        }
        return controls.computeIfAbsent(c, k -> new RcRemoteCheck(k, REMOTE_TIMEOUT, remote));
    }

    /**
     * Step 4: the remote object now against the fingerprint, as rclone's VFS compares them ({@code Item._checkObject}:
     * {@code fs.Fingerprint} of the object, its size, time and hash, against the cached one). A hash the backend must
     * compute by reading the object is compared once per cached fingerprint ({@link VerifiedHashes}); later
     * decisions compare the size and the time.
     */
    private void verifyFresh(RemoteCheck remote, VfsCacheLocation loc, Fingerprint fp, String key) throws Declined, InterruptedException {
        String root = loc.remoteRoot();
        Optional<String> hashType = Optional.empty();
        boolean remembered = false;
        try {
            if (fp.hash().isPresent()) {
                hashType = remote.fingerprintHash(root);
                if (hashType.isEmpty()) {
                    throw declined(Decline.UNVERIFIABLE, "the fingerprint has a hash but rclone lists no hash type for " + root);
                }
                remembered = fp.modTime().isPresent() && verified.contains(key) && remote.hashIsSlow(root);
            }
            RemoteCheck.RemoteObject now = remote.stat(root, loc.path(), remembered ? Optional.empty() : hashType);
            switch (now.kind()) {
                case MISSING:
                    throw declined(Decline.GONE, null);
                case DIRECTORY:
                    throw declined(Decline.CHANGED, "now a directory");
                default:
                    break;
            }
            if (now.size() != fp.size()) {
                throw declined(Decline.CHANGED, "size " + fp.size() + " -> " + now.size());
            }
            if (fp.modTime().isPresent()) {
                if (now.modTime().isEmpty()) {
                    throw declined(Decline.UNVERIFIABLE, "the remote shows no modification time");
                }
                if (!now.modTime().get().equals(fp.modTime().get())) {
                    throw declined(Decline.CHANGED, "modified " + fp.modTime().get() + " -> " + now.modTime().get());
                }
            }
            if (remembered) {
                hashesRemembered.incrementAndGet();
            } else if (fp.hash().isPresent()) {
                String type = hashType.orElseThrow();
                String h = now.hashes().get(type);
                if (h == null) {
                    throw declined(Decline.UNVERIFIABLE, "the remote gives no " + type + " hash");
                }
                if (!Fingerprint.sameHash(fp.hash().get(), h)) {
                    throw declined(Decline.CHANGED, "other " + type);
                }
                hashesChecked.incrementAndGet();
                if (fp.modTime().isPresent() && remote.hashIsSlow(root)) {
                    verified.add(key);
                }
            }
        } catch (RemoteCheck.RemoteException e) {
            throw declined(Decline.REMOTE_UNKNOWN, e.getMessage());
        }
    }

    /** How long a metadata file that rclone may be rewriting is re-read before it counts as unreadable. */
    static final long META_REREAD_WINDOW_NANOS = 250_000_000L;

    /**
     * The metadata file, parsed. rclone 1.60 rewrites it in place (truncate, then write) whenever it saves the item
     * (on every close of a FUSE handle, ours included), so a read can see it empty or cut short: such a read is
     * repeated for up to {@link #META_REREAD_WINDOW_NANOS}, before the file counts as {@code onError}.
     *
     * @throws NoSuchFileException when there is none
     */
    private static VfsMeta readMeta(Path metaFile, Decline onError) throws Declined, IOException, InterruptedException {
        // rclone rewrites the file in place (truncate, then write) on every FUSE close, ours included: a read can
        // land in between. Re-read for a bounded time, not a count, so a loaded machine gets the same chance.
        long giveUp = System.nanoTime() + META_REREAD_WINDOW_NANOS;
        long pause = 2;
        while (true) {
            byte[] raw = Files.readAllBytes(metaFile);
            try {
                return VfsMeta.parse(raw);
            } catch (VfsMeta.FormatException e) {
                if (System.nanoTime() >= giveUp) {
                    throw declined(onError, e.getMessage());
                }
                Thread.sleep(pause);
                pause = Math.min(pause * 2, 20);
            }
        }
    }

    /** {@code dir/<path>}, segment by segment (the path never has empty, {@code .} or {@code ..} segments). */
    private static Path below(Path dir, String path) throws Declined {
        Path p = dir;
        for (String segment : path.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                throw declined(Decline.UNSUPPORTED_PATH, null);
            }
            if (!segment.isEmpty()) {
                p = p.resolve(segment);
            }
        }
        return p;
    }

    private static String fileName(String path) {
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return p.substring(p.lastIndexOf('/') + 1);
    }

    private LinkArea area(Path cacheDir) throws Declined {
        try {
            synchronized (areas) {
                if (closed) {
                    throw declined(Decline.CLOSED, null);
                }
                return areas.computeIfAbsent(cacheDir, dir -> {
                    try {
                        return LinkArea.open(dir);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        } catch (UncheckedIOException e) {
            throw declined(Decline.LINK_FAILED, "cannot make " + cacheDir.resolve(LinkArea.DIR) + ": " + e.getCause().getMessage());
        }
    }

    /**
     * The job is done with the link: remove it. (No check of the inode's state here: rclone truncates its cache file
     * to its size and resets its modification time on every FUSE open, so a changed time or size says nothing; the
     * one rewrite in place that matters, rclone's reset of an open item when its cache disk is full, cannot be told
     * from that without reading the file.)
     */
    private void release(LinkArea area, LinkArea.Link link) {
        if (!area.release(link)) {
            cleanupFailures.incrementAndGet();
        }
    }

    /**
     * The shared counters plus: {@code links_live} (links handed out, not yet released),
     * {@code link_cleanup_failures}, {@code stale_link_dirs_removed}, {@code hashes_checked} (compared with the remote's),
     * {@code hashes_remembered} (a slow hash checked before for the same fingerprint, size and time: not compared again),
     * {@code access_touches}, {@code access_touch_failures}, {@code access_touches_skipped} (touched less than a minute
     * before),
     * {@code access_touches_dropped}.
     */
    public Map<String, Number> counters() {
        Map<String, Number> m = new LinkedHashMap<>(counters.snapshot());
        m.put("links_live", areas.values().stream().mapToLong(LinkArea::live).sum());
        m.put("link_cleanup_failures", cleanupFailures.get());
        m.put("stale_link_dirs_removed", staleRemoved.get());
        m.put("hashes_checked", hashesChecked.get());
        m.put("hashes_remembered", hashesRemembered.get());
        m.put("access_touches", toucher == null ? 0L : toucher.done());
        m.put("access_touch_failures", toucher == null ? 0L : toucher.failed());
        m.put("access_touches_dropped", toucher == null ? 0L : toucher.dropped());
        m.put("access_touches_skipped", toucher == null ? 0L : toucher.skipped());
        return m;
    }

    /** The link directories in use, one per cache directory (tests). */
    Map<Path, Path> sessions() {
        Map<Path, Path> m = new LinkedHashMap<>();
        areas.forEach((dir, area) -> m.put(dir, area.session()));
        return m;
    }

    AccessToucher toucher() {
        return toucher;
    }

    /** Stops touching, removes every link and this process's link directories. Idempotent. */
    @Override
    public void close() {
        synchronized (areas) {
            closed = true;
        }
        if (toucher != null) {
            toucher.close();
        }
        for (LinkArea area : areas.values()) {
            area.close();
        }
        areas.clear();
    }
}
