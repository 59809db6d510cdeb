package io.vmafx.spi.jobstore;

import java.util.List;

/**
 * A page of jobs, newest first.
 *
 * @param more whether older jobs match too: the next page is asked for with the last job's {@code seq}
 */
public record JobPage(List<StoredJob> jobs, boolean more) {
    public JobPage {
        jobs = List.copyOf(jobs);
    }
}
