package io.vmafx.bypass.ebpf.cache;

import io.vmafx.rclone.RcCall;
import io.vmafx.spi.storage.RcloneControl;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link RemoteCheck} through the remote control of the very rclone process that serves the input (its mount or its
 * {@code serve http}): the same questions {@link RcloneRemoteCheck} asks a process of its own, answered in about a
 * millisecond through the file system that process opened.
 *
 * <ul>
 * <li>{@code operations/fsinfo} of the root, once per {@link RcloneRemoteCheck#IDENTITY_TTL}: {@code Name} and
 *     {@code Root} are that file system's {@code fs.Name()} and {@code fs.Root()}, which is how its VFS names the
 *     cache directory (rc's file system cache hands back the instance the mount opened); the first of {@code Hashes}
 *     is the type {@code fs.Fingerprint} takes; {@code Features.SlowHash} says whether the backend computes it by
 *     reading the object (local, SFTP) or stores it (S3, GCS, Azure).</li>
 * <li>{@code operations/stat} of the object, per decision: a fresh look at the remote ({@code NewObject}, not the VFS's
 *     directory cache), with the hash only when asked.</li>
 * </ul>
 * When the process cannot be reached (it just stopped, say), the question goes to {@code fallback}, which runs rclone.
 */
final class RcRemoteCheck implements RemoteCheck {

    private final RcloneControl control;
    private final Duration timeout;
    private final RemoteCheck fallback;
    private final Map<String, Timed> infos = new ConcurrentHashMap<>();

    /** What {@code operations/fsinfo} says of a root. */
    record FsInfo(RemoteFs fs, Optional<String> hashType, boolean slowHash) {
    }

    private record Timed(FsInfo info, long expiresNanos) {
        boolean fresh() {
            return System.nanoTime() - expiresNanos < 0;
        }
    }

    RcRemoteCheck(RcloneControl control, Duration timeout, RemoteCheck fallback) {
        this.control = control;
        this.timeout = timeout;
        this.fallback = fallback;
    }

    /** The process's answer could not be had: its transport failed; ask {@code fallback} instead. */
    private static final class Unreachable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreachable(String message) {
            super(message, null, false, false);
        }
    }

    private FsInfo info(String remoteRoot) throws RemoteException, Unreachable {
        Timed t = infos.get(remoteRoot);
        if (t != null && t.fresh()) {
            return t.info();
        }
        Map<String, Object> o = call("operations/fsinfo", "{\"fs\":" + RcCall.quote(remoteRoot) + "}");
        if (!(o.get("Name") instanceof String name) || !(o.get("Root") instanceof String root)) {
            throw new RemoteException("rclone's operations/fsinfo of " + remoteRoot + " names no file system");
        }
        RemoteFs fs;
        try {
            // fs.Root() of the local backend is absolute; of others, relative. Neither ends in a slash but "/".
            String clean = root.length() > 1 && root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
            fs = new RemoteFs(name, clean);
        } catch (IllegalArgumentException e) {
            throw new RemoteException("cannot tell where rclone caches " + remoteRoot + ": " + e.getMessage());
        }
        Optional<String> hash = Optional.empty();
        if (o.get("Hashes") instanceof List<?> hashes && !hashes.isEmpty()) {
            hash = Optional.of(String.valueOf(hashes.get(0)));
        }
        boolean slow = o.get("Features") instanceof Map<?, ?> f && Boolean.TRUE.equals(f.get("SlowHash"));
        FsInfo info = new FsInfo(fs, hash, slow);
        if (infos.size() > 1024) {
            infos.clear(); // one process serves one root; this only bounds a misuse
        }
        infos.put(remoteRoot, new Timed(info, System.nanoTime() + RcloneRemoteCheck.IDENTITY_TTL.toNanos()));
        return info;
    }

    private Map<String, Object> call(String method, String body) throws RemoteException, Unreachable {
        RcCall.Answer a;
        try {
            a = RcCall.post(control, method, body, timeout);
        } catch (IOException e) {
            throw new Unreachable(control + ": " + e.getMessage());
        }
        if (a.status() == 401 || a.status() == 403 || a.status() == 404) {
            // not our rclone's remote control (or not the credentials it was started with): never trust it
            throw new Unreachable(control + " answered " + a.status());
        }
        Map<String, Object> o;
        try {
            o = Json.parseObject(a.body());
        } catch (Json.ParseException e) {
            throw new RemoteException("rclone's " + method + " answered something unexpected: " + e.getMessage());
        }
        if (!a.ok()) {
            Object error = o.get("error");
            String why = error instanceof String s ? s : "status " + a.status();
            throw new RemoteException("rclone's " + method + " failed: " + (why.length() > 300 ? why.substring(0, 300) + "..." : why));
        }
        return o;
    }

    @Override
    public RemoteFs resolve(String remoteRoot) throws RemoteException, InterruptedException {
        try {
            return info(remoteRoot).fs();
        } catch (Unreachable e) {
            return fallback.resolve(remoteRoot);
        }
    }

    @Override
    public Optional<String> fingerprintHash(String remoteRoot) throws RemoteException, InterruptedException {
        try {
            return info(remoteRoot).hashType();
        } catch (Unreachable e) {
            return fallback.fingerprintHash(remoteRoot);
        }
    }

    @Override
    public boolean hashIsSlow(String remoteRoot) throws RemoteException, InterruptedException {
        try {
            return info(remoteRoot).slowHash();
        } catch (Unreachable e) {
            return fallback.hashIsSlow(remoteRoot);
        }
    }

    @Override
    public RemoteObject stat(String remoteRoot, String path, Optional<String> hashType) throws RemoteException, InterruptedException {
        StringBuilder opt = new StringBuilder("{\"noMimeType\":true");
        hashType.ifPresent(h -> opt.append(",\"showHash\":true,\"hashTypes\":[").append(RcCall.quote(h)).append(']'));
        opt.append('}');
        Map<String, Object> o;
        try {
            o = call("operations/stat", "{\"fs\":" + RcCall.quote(remoteRoot) + ",\"remote\":" + RcCall.quote(path)
                    + ",\"opt\":" + opt + "}");
        } catch (Unreachable e) {
            return fallback.stat(remoteRoot, path, hashType);
        }
        if (!o.containsKey("item")) {
            throw new RemoteException("rclone's operations/stat answered no \"item\"");
        }
        Object item = o.get("item");
        if (item == null) {
            return RemoteObject.missing();
        }
        if (!(item instanceof Map)) {
            throw new RemoteException("rclone's operations/stat answered an \"item\" that is " + Json.kind(item));
        }
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) item;
            return RcloneRemoteCheck.parseItem(m);
        } catch (IllegalArgumentException e) {
            throw new RemoteException("rclone's operations/stat answered something unexpected: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return String.valueOf(control);
    }
}
