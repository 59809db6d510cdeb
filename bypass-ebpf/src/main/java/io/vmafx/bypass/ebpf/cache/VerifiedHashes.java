package io.vmafx.bypass.ebpf.cache;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cached fingerprints whose hash a decision has checked against the remote, on a backend that computes its
 * hashes by reading the whole object (local, SFTP: rclone's {@code Features.SlowHash}). A later decision for the
 * same cache item, while the remote object shows the same size and modification time, does not hash it again.
 *
 * <p>Why that is rclone's own rule: the local backend keeps the hash it computed on its object and recomputes it only
 * when an {@code lstat} shows another size or modification time ({@code local.Object.Hash}); the SFTP backend keeps it
 * for the object's life. What neither this nor that can see is a rewrite that keeps both size and modification time;
 * rclone's VFS catches one only at an open after it re-listed the directory (a new object, hashed anew), at the cost of
 * reading the whole object. Where the hash is stored (S3, GCS, Azure) nothing is remembered: every decision compares it.
 *
 * <p>Keyed by cache directory, remote root, path and rclone's fingerprint string (which holds the size, the time and
 * the hash the cache data was fetched under: a re-fetched item has a new key). Bounded, least recently used first.
 * Thread-safe. Used by {@link CacheBypass}.
 */
final class VerifiedHashes {

    static final int CAPACITY = 4096;

    private final Map<String, Instant> verified = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
            return size() > CAPACITY;
        }
    };

    static String key(String cacheDir, String remoteRoot, String path, String fingerprint) {
        return cacheDir + '\u0000' + remoteRoot + '\u0000' + path + '\u0000' + fingerprint;
    }

    /** Whether this key's hash was checked (and matched). */
    synchronized boolean contains(String key) {
        return verified.get(key) != null;
    }

    /** The hash of this key matched the remote's. */
    synchronized void add(String key) {
        verified.put(key, Instant.now());
    }

    synchronized int size() {
        return verified.size();
    }
}
