package io.vmafx.bypass.ebpf.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The probe could not do something: what failed, the error number with its text, and, when the kernel's verifier
 * refused a program, the verifier's log. {@link #getMessage()} is one line:
 * {@code loading the BPF programs into the kernel (program vmafx_selftest): Permission denied (errno 13); the
 * verifier said: R0 invalid mem access 'map_value_or_null' (at 6: (61) r0 = *(u32 *)(r0 +16); source: return v->tid;)}.
 */
public final class ProbeException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String what;
    private final int errno;
    private final String errnoText;
    private final String verifierLog;
    private final String libbpfLog;

    /** Thrown by NativeProbe.c. */
    ProbeException(String what, int errno, String errnoText, String verifierLog, String libbpfLog) {
        super(message(what, errno, errnoText, verifierLog));
        this.what = what;
        this.errno = errno;
        this.errnoText = errnoText;
        this.verifierLog = verifierLog == null || verifierLog.isBlank() ? null : verifierLog;
        this.libbpfLog = libbpfLog == null ? "" : libbpfLog;
    }

    /** A failure on the Java side (no errno). */
    public ProbeException(String message) {
        super(message);
        this.what = message;
        this.errno = 0;
        this.errnoText = "";
        this.verifierLog = null;
        this.libbpfLog = "";
    }

    private static String message(String what, int errno, String errnoText, String verifierLog) {
        StringBuilder b = new StringBuilder(what).append(": ").append(errnoText).append(" (errno ").append(errno).append(')');
        summary(verifierLog).ifPresent(s -> b.append("; the verifier said: ").append(s));
        return b.toString();
    }

    /** What failed, without the error. */
    public String what() {
        return what;
    }

    /** The error number (positive), 0 for a Java-side failure. */
    public int errno() {
        return errno;
    }

    /** strerror of {@link #errno()}. */
    public String errnoText() {
        return errnoText;
    }

    /** The verifier's whole log when it refused a program. */
    public Optional<String> verifierLog() {
        return Optional.ofNullable(verifierLog);
    }

    /** The verifier's complaint in one line, with the instruction and source line it was about. */
    public Optional<String> verifierSummary() {
        return summary(verifierLog);
    }

    /** Everything libbpf said during the failed call (also logged through System.Logger). */
    public String libbpfLog() {
        return libbpfLog;
    }

    static Optional<String> summary(String log) {
        if (log == null || log.isBlank()) {
            return Optional.empty();
        }
        List<String> lines = new ArrayList<>(List.of(log.split("\n")));
        lines.removeIf(l -> l.isBlank() || l.startsWith("processed ") || l.startsWith("verification time")
                || l.startsWith("stack depth") || l.startsWith("-- "));
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        int last = lines.size() - 1;
        String complaint = lines.get(last).trim();
        String insn = null;
        String source = null;
        for (int i = last - 1; i >= 0 && (insn == null || source == null); i--) {
            String l = lines.get(i).trim();
            if (insn == null && source == null && l.matches("^\\d+: .*")) {
                insn = l.replaceAll("\\s+;\\s.*$", "").trim();
            } else if (source == null && l.startsWith("; ")) {
                source = l.substring(2).trim();
            }
        }
        StringBuilder b = new StringBuilder(complaint);
        if (insn != null || source != null) {
            b.append(" (");
            if (insn != null) {
                b.append("at ").append(insn);
            }
            if (source != null) {
                b.append(insn != null ? "; " : "").append("source: ").append(source);
            }
            b.append(')');
        }
        return Optional.of(b.toString());
    }
}
