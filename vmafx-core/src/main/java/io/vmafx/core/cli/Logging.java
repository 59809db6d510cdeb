package io.vmafx.core.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One line per log message on stderr ({@code vmafx-node: warning: ...}), warnings and up unless
 * {@code VMAFX_LOG_LEVEL} says otherwise (info, debug). The default two-line JUL format with timestamps is
 * noise in a CLI.
 */
final class Logging {

    /**
     * The JDK's HTTP client logs every request's headers at FINE, the {@code Authorization} header of the loopback
     * calls to rclone (its remote control, serve http) included: kept at INFO whatever the node's level. Held here
     * because JUL keeps loggers only weakly.
     */
    private static final Logger JDK_HTTP = Logger.getLogger("sun.net.www.protocol.http.HttpURLConnection");

    private Logging() {
    }

    static void configure() {
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) {
            root.removeHandler(h);
        }
        Level level = switch (System.getenv().getOrDefault("VMAFX_LOG_LEVEL", "warning").toLowerCase(java.util.Locale.ROOT)) {
            case "debug", "fine" -> Level.FINE;
            case "info" -> Level.INFO;
            case "error", "severe" -> Level.SEVERE;
            default -> Level.WARNING;
        };
        ConsoleHandler h = new ConsoleHandler();
        h.setLevel(level);
        h.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                String msg = formatMessage(r);
                String lvl = r.getLevel().intValue() >= Level.SEVERE.intValue() ? "error"
                        : r.getLevel().intValue() >= Level.WARNING.intValue() ? "warning" : "info";
                return "vmafx-node: " + lvl + ": " + msg + System.lineSeparator();
            }
        });
        root.addHandler(h);
        root.setLevel(level);
        JDK_HTTP.setLevel(Level.INFO);
    }
}
