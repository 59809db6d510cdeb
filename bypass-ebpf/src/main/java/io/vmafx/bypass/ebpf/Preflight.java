package io.vmafx.bypass.ebpf;

import io.vmafx.bypass.ebpf.probe.ProbeException;
import io.vmafx.bypass.ebpf.probe.ProbeSession;
import io.vmafx.bypass.ebpf.probe.ReadPath;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks what the probe needs from this kernel and process, and reports every missing piece at once, so an
 * operator fixes them in one go rather than one failed start at a time: the kernel version, its BTF, tracefs,
 * the capabilities, the native library (and why it does not load), and a trial load of the BPF programs into the
 * kernel (the verifier's complaint, when it refuses one).
 *
 * <p>{@code java -cp bypass-ebpf.jar io.vmafx.bypass.ebpf.Preflight} prints the reasons, one a line (exit 1), or
 * that all checks pass (exit 0).
 */
final class Preflight {

    /** Ring buffers and CAP_BPF arrived in 5.8. */
    static final int MIN_MAJOR = 5;
    static final int MIN_MINOR = 8;
    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_PERFMON = 38;
    private static final int CAP_BPF = 39;

    /** The trial load's result for this JVM (the kernel does not change under it): null until tried. */
    private static volatile Optional<String> trialLoadProblem;
    private static volatile ReadPath trialReadPath;

    private final Path root;
    private final String kernelRelease;
    private final boolean probeChecks;

    /** Checks the running system, the native library and a trial load included. */
    Preflight() {
        this(Path.of("/"), System.getProperty("os.version", ""), true);
    }

    /** Checks a system whose {@code /sys} and {@code /proc} live under {@code root}; for tests (no native checks). */
    Preflight(Path root, String kernelRelease) {
        this(root, kernelRelease, false);
    }

    private Preflight(Path root, String kernelRelease, boolean probeChecks) {
        this.root = root;
        this.kernelRelease = kernelRelease;
        this.probeChecks = probeChecks;
    }

    /** Every reason the probe cannot load here; empty when all checks pass. */
    List<String> failures() {
        List<String> reasons = new ArrayList<>();
        Optional<String> old = kernelTooOld();
        old.ifPresent(reasons::add);
        boolean btf = Files.isReadable(root.resolve("sys/kernel/btf/vmlinux"));
        if (!btf) {
            reasons.add("no kernel BTF at /sys/kernel/btf/vmlinux (needs CONFIG_DEBUG_INFO_BTF=y)");
        }
        tracefsProblem().ifPresent(reasons::add);
        Optional<String> caps = missingCapabilities();
        caps.ifPresent(reasons::add);
        if (probeChecks) {
            Optional<String> library = ProbeSession.unsupportedReason();
            if (library.isPresent()) {
                reasons.add("the probe's native library cannot be loaded: " + library.get());
            } else if (old.isEmpty() && btf && caps.isEmpty()) {
                // Without these the kernel refuses the load for the reasons above; with them, the verifier decides.
                trialLoad().ifPresent(reasons::add);
            }
        }
        return reasons;
    }

    /** The read path the trial load got (fentry/fexit or the syscall tracepoints), once {@link #failures()} ran one. */
    static Optional<ReadPath> trialReadPath() {
        return Optional.ofNullable(trialReadPath);
    }

    private static synchronized Optional<String> trialLoad() {
        if (trialLoadProblem == null) {
            try {
                trialReadPath = ProbeSession.trialLoad(ProbeSession.DEFAULT_PREFIX);
                trialLoadProblem = Optional.empty();
            } catch (ProbeException e) {
                // the verifier's whole log already went to the logger, with libbpf's other messages
                trialLoadProblem = Optional.of("the kernel refused the probe in a trial load: " + e.getMessage());
            }
        }
        return trialLoadProblem;
    }

    /** tracefs must be mounted (the syscall tracepoints are attached through it) and readable. */
    private Optional<String> tracefsProblem() {
        if (Files.isDirectory(root.resolve("sys/kernel/tracing/events"))
                || Files.isDirectory(root.resolve("sys/kernel/debug/tracing/events"))) {
            return Optional.empty();
        }
        Optional<String> mountPoint = tracefsMountPoint();
        if (mountPoint.isPresent()) {
            return Optional.of("tracefs is mounted at " + mountPoint.get() + " but this user cannot read its events/"
                    + " (tracefs is root's only), and the probe's syscall tracepoints need it");
        }
        return Optional.of("tracefs is not mounted at /sys/kernel/tracing (nor at /sys/kernel/debug/tracing), and the"
                + " probe's syscall tracepoints need it (mount -t tracefs tracefs /sys/kernel/tracing)");
    }

    /** Where /proc/self/mountinfo says tracefs is mounted (one of the two places libbpf looks), if anywhere. */
    private Optional<String> tracefsMountPoint() {
        try {
            for (String line : Files.readAllLines(root.resolve("proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                int dash = List.of(f).indexOf("-");
                if (f.length > 4 && dash > 0 && dash + 1 < f.length && f[dash + 1].equals("tracefs")
                        && (f[4].equals("/sys/kernel/tracing") || f[4].equals("/sys/kernel/debug/tracing"))) {
                    return Optional.of(f[4]);
                }
            }
        } catch (IOException e) {
            // no mountinfo (a test root): "not mounted"
        }
        return Optional.empty();
    }

    private Optional<String> kernelTooOld() {
        Matcher m = Pattern.compile("^(\\d+)\\.(\\d+)").matcher(kernelRelease);
        if (!m.find()) {
            return Optional.of("cannot tell the kernel version from '" + kernelRelease + "'");
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        if (major < MIN_MAJOR || (major == MIN_MAJOR && minor < MIN_MINOR)) {
            return Optional.of("kernel " + kernelRelease + " is too old (needs " + MIN_MAJOR + "." + MIN_MINOR + " or later)");
        }
        return Optional.empty();
    }

    private Optional<String> missingCapabilities() {
        BigInteger effective;
        try {
            effective = Files.readAllLines(root.resolve("proc/self/status")).stream()
                    .filter(l -> l.startsWith("CapEff:"))
                    .map(l -> new BigInteger(l.substring("CapEff:".length()).trim(), 16))
                    .findFirst().orElse(BigInteger.ZERO);
        } catch (IOException | NumberFormatException e) {
            return Optional.of("cannot read the process's capabilities: " + e.getMessage());
        }
        boolean bpf = effective.testBit(CAP_BPF);
        boolean perfmon = effective.testBit(CAP_PERFMON);
        if ((bpf && perfmon) || effective.testBit(CAP_SYS_ADMIN)) {
            return Optional.empty();
        }
        if (!bpf && !perfmon) {
            return Optional.of("missing capabilities CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)");
        }
        return Optional.of("missing capability " + (bpf ? "CAP_PERFMON" : "CAP_BPF") + " (has "
                + (bpf ? "CAP_BPF" : "CAP_PERFMON") + "; or CAP_SYS_ADMIN)");
    }

    /** Prints every reason, one a line, and exits 1; or says that all checks pass and exits 0. */
    public static void main(String[] args) {
        List<String> reasons = new Preflight().failures();
        if (reasons.isEmpty()) {
            System.out.println("eBPF probe preflight: ok (reads counted by "
                    + trialReadPath().map(Enum::name).orElse("?") + ")");
            System.exit(0);
        }
        System.out.println("eBPF probe preflight: " + reasons.size() + (reasons.size() == 1 ? " problem" : " problems"));
        for (String r : reasons) {
            System.out.println(r);
        }
        System.exit(1);
    }
}
