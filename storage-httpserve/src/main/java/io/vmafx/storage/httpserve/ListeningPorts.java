package io.vmafx.storage.httpserve;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The TCP port a process listens on, read from {@code /proc}: the socket inodes among its file descriptors
 * ({@code /proc/<pid>/fd/* -> socket:[inode]}) matched against the listening sockets of its network namespace
 * ({@code /proc/<pid>/net/tcp} and {@code tcp6}, state {@code 0A}).
 *
 * <p>This is how the node learns the port of {@code rclone serve http --addr 127.0.0.1:0}: the kernel picks a
 * free port and rclone does not print it. Choosing a free port first and passing it would race with any other
 * process binding it in between.
 */
final class ListeningPorts {

    private static final String LISTEN = "0A";
    private static final String SOCKET = "socket:[";

    private ListeningPorts() {
    }

    /** The port {@code pid} listens on, or empty when it listens on none (yet) or has exited. */
    static OptionalInt of(long pid) {
        return of(Path.of("/proc", Long.toString(pid)));
    }

    /** {@link #of(long)}, but for port {@code except} (its remote control's; {@code -1} for none). */
    static OptionalInt of(long pid, int except) {
        return of(Path.of("/proc", Long.toString(pid)), except);
    }

    /** {@link #of(long)} for a {@code /proc/<pid>} directory. */
    static OptionalInt of(Path procDir) {
        return of(procDir, -1);
    }

    static OptionalInt of(Path procDir, int except) {
        Set<Long> inodes = socketInodes(procDir.resolve("fd"));
        if (inodes.isEmpty()) {
            return OptionalInt.empty();
        }
        for (String table : List.of("net/tcp", "net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(procDir.resolve(table));
            } catch (IOException e) {
                continue; // no IPv6 in this kernel, or the process is gone
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                OptionalInt port = listeningPort(line, inodes);
                if (port.isPresent() && port.getAsInt() != except) {
                    return port;
                }
            }
        }
        return OptionalInt.empty();
    }

    /**
     * The local port of one {@code /proc/net/tcp} row ({@code sl local rem st tx:rx tr:when retr uid timeout
     * inode ...}) if it is listening and its inode is one of {@code inodes}.
     */
    static OptionalInt listeningPort(String line, Set<Long> inodes) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 10 || !f[3].equals(LISTEN)) {
            return OptionalInt.empty();
        }
        try {
            if (!inodes.contains(Long.parseLong(f[9]))) {
                return OptionalInt.empty();
            }
            String local = f[1];
            return OptionalInt.of(Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    private static Set<Long> socketInodes(Path fdDir) {
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(SOCKET) && target.endsWith("]")) {
                        inodes.add(Long.parseLong(target.substring(SOCKET.length(), target.length() - 1)));
                    }
                } catch (IOException | NumberFormatException e) {
                    // The descriptor was closed while we listed: not the listening socket, which stays open.
                }
            }
        } catch (IOException e) {
            // The process has exited (or is not ours to read): it listens on nothing we can use.
        }
        return inodes;
    }
}
