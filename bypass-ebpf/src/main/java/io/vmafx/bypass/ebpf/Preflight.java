package io.vmafx.bypass.ebpf;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks what the probe needs from this kernel and process, and reports every missing piece at once, so an
 * operator fixes them in one go rather than one failed start at a time.
 */
final class Preflight {

    /** Ring buffers and CAP_BPF arrived in 5.8. */
    static final int MIN_MAJOR = 5;
    static final int MIN_MINOR = 8;
    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_PERFMON = 38;
    private static final int CAP_BPF = 39;

    private final Path root;
    private final String kernelRelease;

    /** Checks the running system. */
    Preflight() {
        this(Path.of("/"), System.getProperty("os.version", ""));
    }

    /** Checks a system whose {@code /sys} and {@code /proc} live under {@code root}; for tests. */
    Preflight(Path root, String kernelRelease) {
        this.root = root;
        this.kernelRelease = kernelRelease;
    }

    /** Every reason the probe cannot load here; empty when all checks pass. */
    List<String> failures() {
        List<String> reasons = new ArrayList<>();
        kernelTooOld().ifPresent(reasons::add);
        if (!Files.isReadable(root.resolve("sys/kernel/btf/vmlinux"))) {
            reasons.add("no kernel BTF at /sys/kernel/btf/vmlinux (needs CONFIG_DEBUG_INFO_BTF=y)");
        }
        if (!Files.isDirectory(root.resolve("sys/kernel/tracing/events"))
                && !Files.isDirectory(root.resolve("sys/kernel/debug/tracing/events"))) {
            reasons.add("tracefs is not mounted (mount -t tracefs tracefs /sys/kernel/tracing)");
        }
        missingCapabilities().ifPresent(reasons::add);
        return reasons;
    }

    private java.util.Optional<String> kernelTooOld() {
        Matcher m = Pattern.compile("^(\\d+)\\.(\\d+)").matcher(kernelRelease);
        if (!m.find()) {
            return java.util.Optional.of("cannot tell the kernel version from '" + kernelRelease + "'");
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        if (major < MIN_MAJOR || (major == MIN_MAJOR && minor < MIN_MINOR)) {
            return java.util.Optional.of("kernel " + kernelRelease + " is too old (needs " + MIN_MAJOR + "." + MIN_MINOR + " or later)");
        }
        return java.util.Optional.empty();
    }

    private java.util.Optional<String> missingCapabilities() {
        BigInteger effective;
        try {
            effective = Files.readAllLines(root.resolve("proc/self/status")).stream()
                    .filter(l -> l.startsWith("CapEff:"))
                    .map(l -> new BigInteger(l.substring("CapEff:".length()).trim(), 16))
                    .findFirst().orElse(BigInteger.ZERO);
        } catch (IOException | NumberFormatException e) {
            return java.util.Optional.of("cannot read the process's capabilities: " + e.getMessage());
        }
        boolean bpfAndPerfmon = effective.testBit(CAP_BPF) && effective.testBit(CAP_PERFMON);
        if (bpfAndPerfmon || effective.testBit(CAP_SYS_ADMIN)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("missing capabilities CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)");
    }
}
