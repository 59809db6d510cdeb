package io.vmafx.core.serve;

import io.vmafx.core.job.JobException;
import io.vmafx.spi.storage.StorageException;

/**
 * The {@code error} an API client sees for a failed job. A storage failure is told by its cause and the input
 * alone ({@code distorted: object not found: media:clips/dis.mp4}): the provider's own message can carry what a tool
 * printed, and rclone prints what a remote answered (the body of an error page, a listing) — for a client that chose
 * the remote, a way to read what the node can reach. {@link JobService} logs the full message for the operator.
 * Any other failure (an input the parser refused, the scorer's diagnosis, no model) is the node's own text, as
 * {@code score} prints it.
 */
final class ApiJobError {

    private ApiJobError() {
    }

    /** What the API shows for {@code e}. */
    static String of(JobException e) {
        StorageException storage = storageCause(e);
        if (storage == null) {
            return e.getMessage();
        }
        String side = e.getMessage().startsWith("reference") ? "reference" : "distorted";
        String input = storage.uri() != null ? storage.uri().input() : "its input";
        String what = switch (storage.reason()) {
            case NOT_FOUND -> "object not found: " + input;
            case ACCESS_DENIED -> "access denied: " + input;
            case NOT_A_FILE -> "not a video file (a directory or a special file): " + input;
            case TIMEOUT -> "cannot read " + input + ": the storage did not answer in time";
            case TOOL_FAILED -> "cannot read " + input + ": the storage's rclone failed";
            // The node's own state (no rclone, shutting down): nothing a remote said.
            case UNAVAILABLE -> storage.getMessage();
            case OTHER -> "cannot read " + input;
        };
        return side + ": " + what + (storage.reason() == StorageException.Cause.NOT_FOUND
                || storage.reason() == StorageException.Cause.ACCESS_DENIED || storage.reason() == StorageException.Cause.UNAVAILABLE
                ? "" : " (the node's log has the details)");
    }

    private static StorageException storageCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof StorageException s) {
                return s;
            }
        }
        return null;
    }
}
