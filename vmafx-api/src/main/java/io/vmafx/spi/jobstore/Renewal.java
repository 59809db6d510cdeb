package io.vmafx.spi.jobstore;

import java.util.Set;

/**
 * What {@link JobStore#renew} found.
 *
 * @param lost            jobs whose claim this node no longer holds (its lease ran out and the job went back to
 *                        the queue or ended): the node stops them and reports nothing
 * @param cancelRequested jobs a {@code DELETE} asked to stop, on whichever node it came
 */
public record Renewal(Set<String> lost, Set<String> cancelRequested) {
    public static final Renewal NONE = new Renewal(Set.of(), Set.of());

    public Renewal {
        lost = Set.copyOf(lost);
        cancelRequested = Set.copyOf(cancelRequested);
    }
}
