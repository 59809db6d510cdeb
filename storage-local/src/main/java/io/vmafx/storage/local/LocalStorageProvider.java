package io.vmafx.storage.local;

import io.vmafx.api.uri.AssetUri;
import io.vmafx.spi.Availability;
import io.vmafx.spi.NodeSettings;
import io.vmafx.spi.storage.PreparedInput;
import io.vmafx.spi.storage.StorageException;
import io.vmafx.spi.storage.StorageException.Cause;
import io.vmafx.spi.storage.StorageProvider;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Local paths and {@code file://} URIs, passed to ffmpeg as absolute paths. Preparing checks what ffmpeg
 * would otherwise report late and vaguely: a missing file, a directory, a file this process cannot open.
 */
public final class LocalStorageProvider implements StorageProvider {

    public static final String NAME = "local";

    private final AtomicLong prepares = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Availability availability(NodeSettings settings) {
        return Availability.ok();
    }

    @Override
    public boolean handles(AssetUri uri) {
        return uri.kind().isLocal();
    }

    @Override
    public PreparedInput prepare(AssetUri uri, NodeSettings settings) throws StorageException {
        prepares.incrementAndGet();
        Path path = uri.localPath()
                .orElseThrow(() -> new IllegalArgumentException("not a local URI: " + uri))
                .toAbsolutePath();
        try {
            checkReadableFile(uri, path);
        } catch (StorageException e) {
            failures.incrementAndGet();
            throw e;
        }
        // Nothing was started or leased: releasing has nothing to give back. What the file is now is compared with
        // what it is once read: a file replaced, cut or deleted while read gives frames of two versions, or fewer.
        String atPrepare = fingerprint(path);
        return PreparedInput.of(NAME, path.toString(), () -> { })
                .withReadCheck(() -> changedSince(path, atPrepare));
    }

    /** Size, modification time and identity (device and inode) of {@code path}; "gone" when it is not there. */
    static String fingerprint(Path path) {
        try {
            java.nio.file.attribute.BasicFileAttributes a = java.nio.file.Files.readAttributes(path,
                    java.nio.file.attribute.BasicFileAttributes.class);
            return a.size() + " bytes, modified " + a.lastModifiedTime() + ", file " + a.fileKey();
        } catch (java.io.IOException e) {
            return "gone";
        }
    }

    private static java.util.Optional<String> changedSince(Path path, String atPrepare) {
        String now = fingerprint(path);
        if (now.equals(atPrepare)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(now.equals("gone") ? "deleted while read (it was " + atPrepare + ")"
                : "changed while read: it was " + atPrepare + " when the job began, it is " + now + " now");
    }

    private static void checkReadableFile(AssetUri uri, Path path) throws StorageException {
        if (Files.isDirectory(path)) {
            throw new StorageException(uri, Cause.NOT_A_FILE, "is a directory, not a video file: " + uri.input());
        }
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            throw new StorageException(uri, Cause.NOT_A_FILE, "is not a regular file (a device, socket or pipe): " + uri.input());
        }
        // Opening is the only honest readability test (ACLs, root, read-only mounts): isReadable guesses.
        try (FileChannel ignored = FileChannel.open(path, StandardOpenOption.READ)) {
            // readable
        } catch (NoSuchFileException e) {
            String hint = Files.exists(path, LinkOption.NOFOLLOW_LINKS) ? " (a dangling symbolic link)" : "";
            throw new StorageException(uri, Cause.NOT_FOUND, "file not found" + hint + ": " + uri.input());
        } catch (AccessDeniedException e) {
            throw new StorageException(uri, Cause.ACCESS_DENIED, "permission denied reading " + uri.input());
        } catch (IOException e) {
            throw new StorageException(uri, Cause.OTHER, "cannot read " + uri.input() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, Number> counters() {
        return Map.of("prepares", prepares.get(), "failures", failures.get());
    }
}
