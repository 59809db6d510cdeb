package io.vmafx.bypass.ebpf.cache;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the decision asks the remote side: how rclone names a remote root's file system (so where its VFS cache
 * is), which hash its fingerprints carry, and a fresh stat of one object. {@link RcloneRemoteCheck} asks rclone;
 * tests substitute their own.
 */
interface RemoteCheck {

    /** The remote could not be asked; the message is one line. */
    final class RemoteException extends Exception {
        private static final long serialVersionUID = 1L;

        RemoteException(String message) {
            super(message);
        }
    }

    /** The file system {@code remoteRoot} opens as (cached by the implementation). */
    RemoteFs resolve(String remoteRoot) throws RemoteException, InterruptedException;

    /** The hash type rclone puts in fingerprints of objects below {@code remoteRoot} ({@code md5}), if any. */
    Optional<String> fingerprintHash(String remoteRoot) throws RemoteException, InterruptedException;

    /**
     * Whether the backend computes that hash by reading the object ({@code Features.SlowHash}: local, SFTP) rather
     * than storing it (S3, GCS, Azure).
     */
    default boolean hashIsSlow(String remoteRoot) throws RemoteException, InterruptedException {
        return false;
    }

    /** The object {@code remoteRoot + path} as the remote has it now, with its {@code hashType} hash if asked for. */
    RemoteObject stat(String remoteRoot, String path, Optional<String> hashType) throws RemoteException, InterruptedException;

    /**
     * One object as {@code rclone lsjson --stat} sees it.
     *
     * @param kind    file, directory or missing
     * @param size    its size ({@code -1} unless a file)
     * @param modTime its modification time, when the backend has one
     * @param hashes  hash type to value, for the types asked for and known
     */
    record RemoteObject(Kind kind, long size, Optional<Instant> modTime, Map<String, String> hashes) {
        enum Kind { FILE, DIRECTORY, MISSING }

        public RemoteObject {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(modTime, "modTime");
            hashes = Map.copyOf(hashes);
        }

        static RemoteObject missing() {
            return new RemoteObject(Kind.MISSING, -1, Optional.empty(), Map.of());
        }
    }
}
