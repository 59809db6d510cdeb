package io.vmafx.spi.jobstore;

import java.util.Locale;

/** A job's state as a store keeps it; {@code queued} and {@code running} have not ended. */
public enum JobState {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    /** The lower-case name the API and the stores use. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean ended() {
        return this != QUEUED && this != RUNNING;
    }

    /** The state named {@code label}, or null when there is none. */
    public static JobState ofLabel(String label) {
        for (JobState s : values()) {
            if (s.label().equals(label)) {
                return s;
            }
        }
        return null;
    }
}
