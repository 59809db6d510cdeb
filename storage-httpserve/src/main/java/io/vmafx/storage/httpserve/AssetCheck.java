package io.vmafx.storage.httpserve;

import io.vmafx.api.uri.AssetUri;
import io.vmafx.rclone.Deadline;
import io.vmafx.rclone.DirCache;
import io.vmafx.rclone.RcloneErrors;
import io.vmafx.spi.storage.StorageException;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * Whether a serve process answers for one asset: {@code HEAD} with the process's credentials until it says
 * 200 or 404, says something final, dies, or the deadline passes. Ready means the asset itself answers, not that
 * {@code /} does: only then does ffmpeg get a URL that works.
 *
 * <p>One instance per provider (its {@link HttpClient} keeps loopback connections open, so a warm prepare
 * costs one round trip); thread-safe.
 */
final class AssetCheck {

    /** What {@link #await} found when it throws nothing. */
    enum Outcome {
        /** HEAD answered 200. */
        READY,
        /**
         * HEAD answered 404 and rclone logged no refusal: the process does not list the asset. A process the
         * prepare found running may list its directory from a cache older than the asset (see {@code WarmMiss}).
         */
        MISSING,
        /** The process exited: the caller may start a new one. */
        DIED
    }

    /** One HEAD may wait this long; a slow remote gets further tries until the deadline. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** Between HEADs while waiting for a stale listing to expire: a 404 from the cached listing is cheap. */
    private static final long MAX_LISTING_PAUSE_MILLIS = 200;

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1) // no h2c upgrade dance with rclone
            .followRedirects(HttpClient.Redirect.NEVER)
            .proxy(HttpClient.Builder.NO_PROXY) // a proxy from the environment must never see loopback URLs
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    /**
     * Waits until {@code serve} answers {@code path} with 200 or 404.
     *
     * @return {@link Outcome#READY} on 200, {@link Outcome#MISSING} on 404, {@link Outcome#DIED} when the process
     *         exited meanwhile
     * @throws StorageException     {@code ACCESS_DENIED} on 403, or on 404 when rclone logged a refusal meanwhile;
     *                              {@code TOOL_FAILED} on 401 or a 5xx; {@code TIMEOUT} when the deadline passes
     * @throws InterruptedException when interrupted (the request is abandoned)
     */
    Outcome await(ServeProcess serve, String path, AssetUri uri, Deadline deadline) throws StorageException, InterruptedException {
        return poll(serve, path, uri, deadline, false);
    }

    /**
     * For an asset the remote has but {@code serve} answered 404 for (its listing of the directory is older than
     * the asset): asks again, a little apart, until it answers 200. rclone lists the directory again at most
     * {@code --dir-cache-time} after it last did, so this ends within that time unless the deadline comes first.
     *
     * @return {@link Outcome#READY} or {@link Outcome#DIED}, never {@link Outcome#MISSING}
     * @throws StorageException as {@link #await}; {@code TIMEOUT} naming {@code VMAFX_RCLONE_DIR_CACHE_TIME} when
     *                          the deadline passes while it still answers 404
     */
    Outcome awaitListed(ServeProcess serve, String path, AssetUri uri, Deadline deadline) throws StorageException, InterruptedException {
        return poll(serve, path, uri, deadline, true);
    }

    private Outcome poll(ServeProcess serve, String path, AssetUri uri, Deadline deadline, boolean untilListed)
            throws StorageException, InterruptedException {
        long mark = serve.stderrMark();
        HttpRequest.Builder request = HttpRequest.newBuilder(serve.uri(path))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Authorization", serve.authorization());
        long pause = 2;
        long listingPause = 10;
        String lastProblem = "";
        while (true) {
            if (!serve.isAlive()) {
                return Outcome.DIED;
            }
            Duration left = deadline.remaining();
            if (left.isNegative() || left.isZero()) {
                if (untilListed) {
                    throw new StorageException(uri, StorageException.Cause.TIMEOUT, "cannot read " + uri.input()
                            + ": the remote has it, but rclone serve http " + serve.root() + " still answered 404 after "
                            + deadline.describe() + " (it lists a directory again at most " + DirCache.TIME + " = "
                            + DirCache.describe(serve.dirCacheTime()) + " after it last did" + (lastProblem.isEmpty() ? "" : "; " + lastProblem)
                            + ")" + RcloneErrors.suffix(rclone(serve, mark, uri)));
                }
                throw new StorageException(uri, StorageException.Cause.TIMEOUT, "cannot read " + uri.input()
                        + ": rclone serve http " + serve.root() + " did not answer for it within " + deadline.describe()
                        + (lastProblem.isEmpty() ? "" : " (" + lastProblem + ")") + RcloneErrors.suffix(rclone(serve, mark, uri)));
            }
            int status;
            boolean cutByDeadline = left.compareTo(REQUEST_TIMEOUT) < 0;
            try {
                status = client.send(request.timeout(cutByDeadline ? left : REQUEST_TIMEOUT).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (HttpTimeoutException e) {
                // While waiting for a listing to expire, a last HEAD cut short by the deadline says nothing new.
                if (!untilListed || !cutByDeadline) {
                    lastProblem = "no answer to HEAD";
                }
                continue;
            } catch (IOException e) {
                // Refused or reset: rclone died or is not accepting yet. The loop tells which.
                lastProblem = String.valueOf(e.getMessage());
                deadline.sleep(pause);
                pause = Math.min(50, pause * 2);
                continue;
            }
            if (status == 200) {
                return Outcome.READY;
            }
            // rclone answers 404 too when listing the directory failed; its log then says why.
            if (status == 404 && !RcloneErrors.accessDenied(rclone(serve, mark, uri))) {
                if (!untilListed) {
                    return Outcome.MISSING;
                }
                lastProblem = "";
                deadline.sleep(listingPause);
                listingPause = Math.min(MAX_LISTING_PAUSE_MILLIS, listingPause * 2);
                continue;
            }
            throw failure(status, serve, mark, uri);
        }
    }

    /**
     * The error for a 404 that stands: {@code NOT_FOUND} ("object not found: <input>"), or {@code ACCESS_DENIED}
     * when rclone logged a refusal after {@code mark}.
     */
    static StorageException notFound(ServeProcess serve, long mark, AssetUri uri) {
        return failure(404, serve, mark, uri);
    }

    /** What rclone logged after {@code mark} that can be about {@code uri}'s object ({@link RcloneErrors#about}). */
    private static String rclone(ServeProcess serve, long mark, AssetUri uri) {
        return RcloneErrors.about(serve.stderrSince(mark), uri.rclone().map(t -> t.path()).orElse(""));
    }

    private static StorageException failure(int status, ServeProcess serve, long mark, AssetUri uri) {
        String rclone = rclone(serve, mark, uri);
        if (status == 404) {
            // rclone answers 404 too when listing the directory failed; its log then says why.
            StorageException.Cause cause = RcloneErrors.accessDenied(rclone) ? StorageException.Cause.ACCESS_DENIED
                    : StorageException.Cause.NOT_FOUND;
            return new StorageException(uri, cause, (cause == StorageException.Cause.NOT_FOUND ? "object not found: "
                    : "access denied: ") + uri.input() + RcloneErrors.suffix(rclone));
        }
        if (status == 401) {
            // The only credentials rclone checks here are the node's own: a bug or a foreign process on the port.
            return new StorageException(uri, StorageException.Cause.TOOL_FAILED, "cannot read " + uri.input()
                    + ": rclone serve http refused the node's credentials (HTTP 401)");
        }
        if (status == 403) {
            return new StorageException(uri, StorageException.Cause.ACCESS_DENIED, "access denied: " + uri.input()
                    + " (rclone serve http answered HTTP 403)" + RcloneErrors.suffix(rclone));
        }
        if (RcloneErrors.accessDenied(rclone)) {
            // The remote refused rclone's credentials; serve http reports that as a 500.
            return new StorageException(uri, StorageException.Cause.ACCESS_DENIED, "access denied: " + uri.input()
                    + RcloneErrors.suffix(rclone));
        }
        StorageException.Cause cause = status >= 500 ? StorageException.Cause.TOOL_FAILED : StorageException.Cause.OTHER;
        return new StorageException(uri, cause, "cannot read " + uri.input() + ": rclone serve http answered HTTP " + status
                + RcloneErrors.suffix(rclone));
    }
}
