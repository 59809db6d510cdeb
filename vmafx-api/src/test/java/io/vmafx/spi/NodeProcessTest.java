package io.vmafx.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeProcessTest {

    @Test
    void theCurrentProcessRunsAndItsIdParsesBack() {
        NodeProcess self = NodeProcess.current();
        assertEquals(ProcessHandle.current().pid(), self.pid());
        assertTrue(self.startTime() > 0, "the kernel's start time: " + self);
        assertTrue(self.isRunning());
        assertEquals(Optional.of(self), NodeProcess.parse(self.id()));
        assertEquals(Optional.of(self), NodeProcess.of(self.pid()));
    }

    @Test
    void aPidWithAnotherStartTimeIsAnotherProcess() {
        NodeProcess self = NodeProcess.current();
        assertFalse(new NodeProcess(self.pid(), self.startTime() + 1).isRunning(), "the pid reused by a later process");
        assertTrue(new NodeProcess(self.pid(), 0).isRunning(), "an unknown start time trusts the pid");
    }

    @Test
    void anExitedProcessIsNotRunning() throws Exception {
        Process p = new ProcessBuilder("true").start();
        NodeProcess child = NodeProcess.of(p.pid()).orElse(new NodeProcess(p.pid(), 1));
        p.waitFor();
        assertFalse(child.isRunning());
        assertEquals(Optional.empty(), NodeProcess.of(p.pid()));
    }

    @Test
    void parsesOnlyIds() {
        assertEquals(Optional.of(new NodeProcess(12, 345)), NodeProcess.parse("12-345"));
        for (String bad : new String[] {"", "12", "12-", "-3", "a-1", "12-345-x", "12 - 345", null}) {
            assertEquals(Optional.empty(), NodeProcess.parse(bad), String.valueOf(bad));
        }
    }

    @Test
    void findsTheStartTimeAfterACommandNameWithSpacesAndParentheses() {
        String stat = "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10";
        assertEquals(Optional.of(987654L), NodeProcess.parseStartTime(stat));
        assertEquals(Optional.empty(), NodeProcess.parseStartTime("garbage"));
    }
}
