package io.vmafx.bypass.ebpf.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.rclone.ChildProcess;
import io.vmafx.rclone.Deadline;
import io.vmafx.rclone.RemoteControl;
import io.vmafx.spi.storage.RcloneControl;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The remote-control check against a real {@code rclone rcd} started the way the providers start their processes'
 * remote control ({@link RemoteControl}): it must answer what a process of its own ({@link RcloneRemoteCheck}) answers,
 * and a remote control that refuses the credentials must never be believed (the process check answers instead).
 */
class RcRemoteCheckTest {

    private RcloneFixture fx;
    private ChildProcess rcd;
    private RcloneControl control;
    private RcloneRemoteCheck processes;

    @BeforeEach
    void setUp() throws Exception {
        fx = new RcloneFixture();
        RemoteControl rc = RemoteControl.random();
        List<String> command = new ArrayList<>(fx.rclone().command(List.of("rcd")));
        command.addAll(rc.args().subList(1, rc.args().size())); // rcd is --rc already
        rcd = ChildProcess.start("rclone-rcd", command, rc.environment());
        Deadline d = Deadline.after(Duration.ofSeconds(10));
        Optional<RcloneControl> c = Optional.empty();
        while (c.isEmpty() && !d.expired() && rcd.isAlive()) {
            Thread.sleep(20);
            c = rc.endpoint(rcd.stderrTail());
        }
        control = c.orElseThrow(() -> new AssertionError("rclone rcd did not say where it listens: " + rcd.stderrTail()));
        processes = new RcloneRemoteCheck(fx.rclone(), Duration.ofSeconds(20));
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (rcd != null) {
                rcd.stop(Duration.ofSeconds(3));
            }
        } finally {
            fx.close();
        }
    }

    @Test
    void answersWhatAProcessOfItsOwnAnswers() throws Exception {
        fx.write("dir/a b.bin", 300_000, 1);
        RcRemoteCheck check = new RcRemoteCheck(control, Duration.ofSeconds(10), processes);
        for (String root : List.of("media:", "disk:" + fx.source + "/", "m2:", ":local,case_insensitive=false:" + fx.source)) {
            assertEquals(processes.resolve(root), check.resolve(root), root);
            assertEquals(processes.fingerprintHash(root), check.fingerprintHash(root), root);
            assertEquals(processes.hashIsSlow(root), check.hashIsSlow(root), root);
        }
        assertTrue(check.hashIsSlow("media:"), "the local backend computes its hashes");
        String path = "dir/a b.bin";
        assertEquals(processes.stat("media:", path, Optional.of("md5")), check.stat("media:", path, Optional.of("md5")));
        RemoteCheck.RemoteObject noHash = check.stat("media:", path, Optional.empty());
        assertEquals(Map.of(), noHash.hashes());
        assertEquals(300_000, noHash.size());
        assertEquals(RemoteCheck.RemoteObject.Kind.MISSING, check.stat("media:", "dir/nothing.bin", Optional.empty()).kind());
        assertEquals(RemoteCheck.RemoteObject.Kind.MISSING, check.stat("media:", "nodir/nothing.bin", Optional.empty()).kind());
        assertEquals(RemoteCheck.RemoteObject.Kind.DIRECTORY, check.stat("media:", "dir", Optional.empty()).kind());
        Files.delete(fx.src(path));
        assertEquals(RemoteCheck.RemoteObject.Kind.MISSING, check.stat("media:", path, Optional.of("md5")).kind(), "asked afresh, not cached");
    }

    @Test
    void wrongCredentials_areNeverBelieved_theProcessCheckAnswers() throws Exception {
        fx.write("x.bin", 1000, 2);
        RcloneControl forged = new RcloneControl(control.url(), "Basic " + java.util.Base64.getEncoder().encodeToString("u:p".getBytes()));
        RemoteCheck fallback = new RemoteCheck() {
            @Override
            public RemoteFs resolve(String remoteRoot) {
                return new RemoteFs("fallback", "/x");
            }

            @Override
            public Optional<String> fingerprintHash(String remoteRoot) {
                return Optional.of("fallback");
            }

            @Override
            public RemoteObject stat(String remoteRoot, String path, Optional<String> hashType) {
                return RemoteObject.missing();
            }
        };
        RcRemoteCheck check = new RcRemoteCheck(forged, Duration.ofSeconds(10), fallback);
        assertEquals(new RemoteFs("fallback", "/x"), check.resolve("media:"));
        assertEquals(RemoteCheck.RemoteObject.Kind.MISSING, check.stat("media:", "x.bin", Optional.empty()).kind());
    }

    @Test
    void aGoneProcess_theProcessCheckAnswers() throws Exception {
        fx.write("x.bin", 1000, 2);
        rcd.stop(Duration.ofSeconds(3));
        RcRemoteCheck check = new RcRemoteCheck(control, Duration.ofSeconds(2), processes);
        assertEquals(1000, check.stat("media:", "x.bin", Optional.empty()).size());
    }

    @Test
    void anUnknownRemote_isARemoteError() {
        RcRemoteCheck check = new RcRemoteCheck(control, Duration.ofSeconds(10), processes);
        RemoteCheck.RemoteException e = assertThrows(RemoteCheck.RemoteException.class, () -> check.resolve("nosuchremote:"));
        assertTrue(e.getMessage().startsWith("rclone's operations/fsinfo failed: "), e.getMessage());
    }
}
