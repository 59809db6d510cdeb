package io.vmafx.rclone;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutablesTest {

    @Test
    void findsNamesOnTheSearchPathAndChecksPaths(@TempDir Path dir) throws Exception {
        Path plain = Files.writeString(dir.resolve("plain"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(plain, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(Optional.of(Path.of("/bin/sh")), Executables.find("sh", "/nonexistent:/bin"));
        assertEquals(Optional.empty(), Executables.find("sh", "/nonexistent"));
        assertEquals(Optional.empty(), Executables.find("sh", ":"), "empty entries are not the working directory");
        assertEquals(Optional.of(Path.of("/bin/sh")), Executables.find("/bin/sh", ""));
        assertEquals(Optional.empty(), Executables.find(plain.toString(), "/bin"), "not executable, even for root");
        assertEquals(Optional.empty(), Executables.find("/bin", "/bin"), "a directory");
        assertEquals(Optional.empty(), Executables.find("", "/bin"));
    }

    @Test
    void rcloneToolPutsTheConfigFirst() {
        RcloneTool tool = RcloneTool.find(v -> Optional.ofNullable(
                v.equals(RcloneTool.BIN) ? "/bin/sh" : v.equals(RcloneTool.CONFIG) ? "/etc/r.conf" : null)).orElseThrow();
        assertEquals(java.util.List.of("/bin/sh", "--config", "/etc/r.conf", "serve", "http"), tool.command(java.util.List.of("serve", "http")));
    }
}
