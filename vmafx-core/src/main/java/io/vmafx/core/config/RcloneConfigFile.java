package io.vmafx.core.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Checks, at start-up, the rclone config file the node passes to every rclone ({@code VMAFX_RCLONE_CONFIG}, or
 * {@code /etc/vmafx/rclone.conf} when that is the default): there, a bad file is a bad setting, one line and exit
 * code 2, rather than every job failing with rclone's complaint.
 *
 * <p>The syntax is rclone's (its ini reader): after an optional UTF-8 byte order mark, each line, with white space
 * trimmed, is empty, a comment ({@code #} or {@code ;}), a section {@code [name]} with a name, or {@code key = value}
 * (or {@code key: value}) with a key. An encrypted config ({@code RCLONE_ENCRYPT_V0:}) is taken as it is: only rclone
 * with its password can read it. Messages name the line by number only: a line that is not what it should be may be
 * a secret with its {@code =} missing.
 */
final class RcloneConfigFile {

    /** rclone.conf files are a few KiB; a bound keeps a wrong path (a disk image, /dev/zero) from being read whole. */
    static final long MAX_SIZE = 4 << 20;
    private static final String ENCRYPTED = "RCLONE_ENCRYPT_V0:";

    private RcloneConfigFile() {
    }

    /**
     * Why {@code file} cannot be rclone's config, in one sentence without the variable's name, or empty when it can.
     */
    static Optional<String> problem(Path file) {
        if (Files.isDirectory(file)) {
            return Optional.of(file + " is a directory, not an rclone config file");
        }
        if (!Files.exists(file)) {
            return Optional.of("no such file " + file);
        }
        if (!Files.isRegularFile(file)) {
            return Optional.of(file + " is not a regular file (an rclone config file is)");
        }
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_SIZE) {
                return Optional.of(file + " is larger than " + (MAX_SIZE >> 20) + " MiB: not an rclone config file");
            }
            bytes = Files.readAllBytes(file);
        } catch (AccessDeniedException e) {
            return Optional.of("cannot read " + file + ": permission denied (the node's user must be able to read it)");
        } catch (NoSuchFileException e) {
            return Optional.of("no such file " + file);
        } catch (IOException e) {
            return Optional.of("cannot read " + file + ": " + e.getMessage());
        }
        return syntaxProblem(file, new String(bytes, StandardCharsets.UTF_8));
    }

    /** The first line rclone would refuse, as a sentence; empty when it would read them all. */
    static Optional<String> syntaxProblem(Path file, String text) {
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        String[] lines = text.split("\n", -1);
        for (String raw : lines) {
            if (raw.strip().equals(ENCRYPTED)) {
                return Optional.empty();
            }
        }
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            String problem = null;
            if (line.startsWith("[")) {
                if (!line.endsWith("]")) {
                    problem = "a section header that does not end with ']'";
                } else if (line.substring(1, line.length() - 1).isBlank()) {
                    problem = "a section header without a name";
                }
            } else {
                int sep = firstOf(line, '=', ':');
                if (sep < 0) {
                    problem = "neither [section], key = value nor a comment";
                } else if (line.substring(0, sep).isBlank()) {
                    problem = "a value without a key";
                }
            }
            if (problem != null) {
                return Optional.of(file + " is not an rclone config file rclone can read: line " + (i + 1) + " is " + problem);
            }
        }
        return Optional.empty();
    }

    private static int firstOf(String s, char a, char b) {
        int i = s.indexOf(a);
        int j = s.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }
}
