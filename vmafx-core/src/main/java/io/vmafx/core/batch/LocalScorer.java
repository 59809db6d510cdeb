package io.vmafx.core.batch;

import io.vmafx.core.job.JobException;
import io.vmafx.core.job.JobExecutor;
import io.vmafx.core.score.ProgressListener;
import java.util.Map;

/** Scores pairs with this node's executor, as {@code score} does (the executor is safe for concurrent jobs). */
public final class LocalScorer implements PairScorer {

    private final JobExecutor executor;

    public LocalScorer(JobExecutor executor) {
        this.executor = executor;
    }

    @Override
    public Map<String, Object> score(PairJob job) throws Failed, InterruptedException {
        try {
            return executor.run(job.request(), ProgressListener.NONE).toJson();
        } catch (JobException e) {
            throw new Failed(e.getMessage());
        }
    }
}
