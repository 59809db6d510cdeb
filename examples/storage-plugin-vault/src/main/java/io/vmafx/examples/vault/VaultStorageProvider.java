package io.vmafx.examples.vault;

import io.vmafx.api.uri.AssetKind;
import io.vmafx.api.uri.AssetUri;
import io.vmafx.spi.Availability;
import io.vmafx.spi.NodeSettings;
import io.vmafx.spi.storage.PreparedInput;
import io.vmafx.spi.storage.StorageException;
import io.vmafx.spi.storage.StorageProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Storage {@code vault}: {@code vault://<shelf>/<path>} is the file {@code $VMAFX_VAULT_DIR/<shelf>/<path>}, which
 * ffmpeg reads in place. Configured by its own variable, read through {@link NodeSettings} like any of the node's:
 * without {@code VMAFX_VAULT_DIR} the provider is listed but not usable, and says why.
 *
 * <p>What a plugin must do, shown small: a unique {@link #name()}, the scheme it claims ({@link #schemes()}), a
 * cheap {@link #availability}, a pure {@link #handles}, and a {@link #prepare} that is safe from many threads, fails
 * with a one-line {@link StorageException} naming the input, and returns a {@link PreparedInput} whose release
 * gives back what preparing took (here: a count of inputs in use).
 */
public final class VaultStorageProvider implements StorageProvider {

    /** The variable naming the vault's root directory. */
    public static final String ROOT_VARIABLE = "VMAFX_VAULT_DIR";
    private static final String SCHEME = "vault";

    private final AtomicLong prepares = new AtomicLong();
    private final AtomicLong notFound = new AtomicLong();
    private final AtomicLong inUse = new AtomicLong();

    @Override
    public String name() {
        return "vault";
    }

    @Override
    public Set<String> schemes() {
        return Set.of(SCHEME);
    }

    @Override
    public Availability availability(NodeSettings settings) {
        Optional<Path> root = settings.path(ROOT_VARIABLE);
        if (root.isEmpty()) {
            return Availability.unusable(ROOT_VARIABLE + " is not set (the directory holding the vault's shelves)");
        }
        if (!Files.isDirectory(root.get())) {
            return Availability.unusable(ROOT_VARIABLE + "=" + root.get() + " is not a directory");
        }
        return Availability.ok();
    }

    @Override
    public boolean handles(AssetUri uri) {
        return uri.kind() == AssetKind.PLUGIN && SCHEME.equals(uri.scheme());
    }

    @Override
    public PreparedInput prepare(AssetUri uri, NodeSettings settings) throws StorageException {
        prepares.incrementAndGet();
        Path root = settings.path(ROOT_VARIABLE).orElseThrow(() -> new StorageException(uri, StorageException.Cause.UNAVAILABLE,
                "vault storage cannot read " + uri.input() + ": " + ROOT_VARIABLE + " is not set")).toAbsolutePath().normalize();
        String shelf = uri.authority();
        if (shelf.isEmpty() || shelf.equals(".") || shelf.equals("..") || shelf.contains("/") || uri.path().isEmpty()) {
            throw new StorageException(uri, StorageException.Cause.OTHER,
                    "not a vault object: " + uri.input() + " (expected vault://<shelf>/<path>)");
        }
        Path file = root.resolve(shelf).resolve(uri.path()).normalize();
        if (!file.startsWith(root.resolve(shelf))) {
            throw new StorageException(uri, StorageException.Cause.OTHER, "not a vault object: " + uri.input() + " (it leaves its shelf)");
        }
        if (!Files.exists(file)) {
            notFound.incrementAndGet();
            throw new StorageException(uri, StorageException.Cause.NOT_FOUND, "object not found: " + uri.input());
        }
        if (!Files.isRegularFile(file)) {
            throw new StorageException(uri, StorageException.Cause.NOT_A_FILE, "not a file: " + uri.input());
        }
        if (!Files.isReadable(file)) {
            throw new StorageException(uri, StorageException.Cause.ACCESS_DENIED, "not readable: " + uri.input());
        }
        inUse.incrementAndGet();
        return PreparedInput.of(name(), file.toString(), inUse::decrementAndGet);
    }

    @Override
    public Map<String, Number> counters() {
        return Map.of("prepares", prepares.get(), "not_found", notFound.get(), "in_use", inUse.get());
    }
}
