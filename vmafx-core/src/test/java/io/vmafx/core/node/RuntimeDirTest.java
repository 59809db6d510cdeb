package io.vmafx.core.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.spi.NodeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeDirTest {

    @TempDir
    Path tmp;

    private Path base() {
        return tmp.resolve("vmafx-node-" + System.getProperty("user.name"));
    }

    @Test
    void removesTheDirectoriesOfGoneNodesWithWhatIsInThemAndNothingElse() throws Exception {
        Process p = new ProcessBuilder("true").start();
        NodeProcess gone = NodeProcess.of(p.pid()).orElse(new NodeProcess(p.pid(), 1));
        p.waitFor();
        Path stale = Files.createDirectories(base().resolve(gone.id()).resolve("node-1/vmafx-score-1"));
        Files.writeString(stale.resolve("input-0.ffconcat"), "ffconcat version 1.0\nfile 'http://u:secret@127.0.0.1:1/x'\n");
        Path live = Files.createDirectories(base().resolve(new NodeProcess(1, 0).id())); // pid 1 runs; unknown start time
        Path foreign = Files.createDirectories(base().resolve("not-a-node"));

        try (RuntimeDir dir = RuntimeDir.open(tmp)) {
            assertFalse(Files.exists(base().resolve(gone.id())), "the gone node's directory, credentials and all");
            assertEquals(1, dir.reaped().size(), dir.reaped()::toString);
            assertTrue(dir.reaped().get(0).contains(gone.id()));
            assertTrue(Files.isDirectory(live) && Files.isDirectory(foreign), "a running node's and unknown entries stay");
            assertEquals(base().resolve(NodeProcess.current().id()), dir.path().getParent());
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.path())));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(base())));
        }
    }

    @Test
    void twoNodesOfOneJvmGetDirectoriesOfTheirOwnAndTheLastToCloseRemovesTheRest() throws Exception {
        RuntimeDir a = RuntimeDir.open(tmp);
        RuntimeDir b = RuntimeDir.open(tmp);
        assertNotEquals(a.path(), b.path());
        Files.writeString(b.path().resolve("f"), "x");
        a.close();
        assertTrue(Files.exists(b.path().resolve("f")), "closing one node leaves the other's files");
        b.close();
        assertEquals(List.of(), Files.list(tmp).toList(), "nothing is left in the temporary directory");
    }
}
