package io.vmafx.rclone;

import io.vmafx.api.uri.AssetUri;
import io.vmafx.api.uri.RcloneTarget;
import io.vmafx.spi.storage.StorageException;

/**
 * What a prepare does when a pooled process it found running (a warm member) says an object is not there.
 *
 * <p>Such a process answers from its cached listing of the directory ({@link DirCache}), which may predate an
 * upload: believed as it is, a job started right after the upload would fail with "object not found". So the
 * remote is asked directly ({@link RemoteStat}) before a warm miss is reported; only when the remote has the
 * object does the caller make its process look again. A member that this prepare started itself listed the
 * directory just now and is believed at once; so is a hit, which costs nothing extra.
 */
public final class WarmMiss {

    private static final System.Logger LOG = System.getLogger(WarmMiss.class.getName());

    private WarmMiss() {
    }

    /**
     * Asks the remote whether it has {@code target} as an object.
     *
     * @param what the member, for log lines ({@code rclone mount media:})
     * @return {@code true} when it has: the member's listing is stale and the caller makes it look again;
     *         {@code false} when the remote agrees that nothing (or a directory) is there, or when the check failed
     *         for a reason other than the two below (logged): the member's answer stands
     * @throws StorageException     {@code ACCESS_DENIED} when the check shows the remote refused the credentials,
     *                              {@code TIMEOUT} when it did not finish before {@code deadline}
     * @throws InterruptedException when interrupted while the check runs
     */
    public static boolean remoteHasFile(String what, RcloneTool tool, RcloneTarget target, AssetUri uri, Deadline deadline,
                                        PrepareCounters counters) throws StorageException, InterruptedException {
        long t0 = System.nanoTime();
        RemoteStat stat = RemoteStat.of(tool, target.remotePath(), deadline);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        counters.warmMissChecked(stat.kind() == RemoteStat.Kind.FILE);
        switch (stat.kind()) {
            case FILE:
                LOG.log(System.Logger.Level.INFO, () -> what + " did not list " + uri.input() + " (a cached listing of its directory), but the"
                        + " remote has it (" + stat.size() + " bytes, checked in " + millis + " ms); making it look again");
                return true;
            case MISSING:
            case DIRECTORY:
                return false;
            default:
                if (RcloneErrors.accessDenied(stat.detail())) {
                    throw new StorageException(uri, StorageException.Cause.ACCESS_DENIED, "access denied: " + uri.input()
                            + " (" + stat.detail() + ")");
                }
                if (deadline.expired()) {
                    throw new StorageException(uri, StorageException.Cause.TIMEOUT, "cannot read " + uri.input() + ": " + what
                            + " did not list it, and checking the remote directly did not finish within " + deadline.describe()
                            + " (" + stat.detail() + ")");
                }
                LOG.log(System.Logger.Level.WARNING, () -> what + " did not list " + uri.input()
                        + " and the remote could not be asked directly; reporting it missing: " + stat.detail());
                return false;
        }
    }
}
