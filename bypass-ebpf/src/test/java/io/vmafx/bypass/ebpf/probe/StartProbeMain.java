package io.vmafx.bypass.ebpf.probe;

/**
 * For ProbeFallbackTest's child JVMs: starts a probe session for args[0] and prints "started READ_PATH" (exit 0) or
 * "not loaded: why" / "failed: message" (exit 1).
 */
public final class StartProbeMain {

    private StartProbeMain() {
    }

    public static void main(String[] args) {
        if (!ProbeSession.isSupported()) {
            System.out.println("not loaded: " + ProbeSession.unsupportedReason().orElse("?"));
            System.exit(1);
        }
        try (ProbeSession s = ProbeSession.start(args[0])) {
            System.out.println("started " + s.readPath());
        } catch (ProbeException e) {
            System.out.println("failed: " + e.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }
}
