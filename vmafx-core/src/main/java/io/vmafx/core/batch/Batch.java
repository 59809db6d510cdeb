package io.vmafx.core.batch;

import io.vmafx.core.job.JobFields;
import io.vmafx.core.score.ScoreOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a pairs file through a {@link PairScorer}, {@code jobs} pairs at once, in three streaming passes over the file:
 * <ol>
 *   <li>every row is checked ({@link PairJob#of}) and counted, and the metrics the rows ask for are collected, so
 *       that a malformed row at the end of a large file stops the batch before any work, naming its line and field;</li>
 *   <li>each row whose key {@link ResultsFile} already has a result for is skipped; the others are scored, at most
 *       {@code jobs} at a time (the reader waits for a free one, so the rows in memory are bounded too), each result
 *       appended to the results file as it ends;</li>
 *   <li>the CSV summary is written in the file's order.</li>
 * </ol>
 * Interrupted (Ctrl-C), it cancels the running pairs, keeps what ended, and still writes the summary. Called by the
 * {@code batch} command.
 */
public final class Batch {

    /**
     * What a run did.
     *
     * @param total     rows in the pairs file
     * @param scored    pairs this run tried (succeeded or failed)
     * @param skipped   rows skipped: scored by an earlier run, or repeating an earlier row
     * @param failed    rows without a score at the end: failed, or not reached when interrupted
     */
    public record Outcome(long total, long scored, long skipped, long failed, boolean interrupted) {
    }

    private final Path pairsFile;
    private final Path resultsPath;
    private final Path summaryPath;
    private final ScoreOptions defaults;
    private final JobFields.Models models;
    private final int jobs;
    private final PrintStream err;

    /**
     * @param defaults what a row that names nothing computes (the node's models)
     * @param models   how model names are read: any file in-process; for a fleet, files are the fleet's to resolve
     * @param err      where the failures' lines go
     */
    public Batch(Path pairsFile, Path resultsPath, Path summaryPath, ScoreOptions defaults, JobFields.Models models, int jobs,
                 PrintStream err) {
        this.pairsFile = pairsFile;
        this.resultsPath = resultsPath;
        this.summaryPath = summaryPath;
        this.defaults = defaults;
        this.models = models;
        this.jobs = jobs;
        this.err = err;
    }

    /** The results file beside {@code pairs}: {@code ladder.csv} → {@code ladder.results.jsonl}. */
    public static Path defaultResults(Path pairs) {
        return sibling(pairs, ".results.jsonl");
    }

    /** The summary beside {@code pairs}: {@code ladder.csv} → {@code ladder.summary.csv}. */
    public static Path defaultSummary(Path pairs) {
        return sibling(pairs, ".summary.csv");
    }

    private static Path sibling(Path pairs, String suffix) {
        String name = pairs.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return pairs.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + suffix);
    }

    /** Pass 1: checks every row; returns how many there are and the metrics (other than VMAF) they ask for. */
    record Checked(long rows, List<String> metrics) {
    }

    Checked check() throws BadPairsFile {
        long rows = 0;
        Set<String> metrics = new LinkedHashSet<>();
        try (PairsFile f = PairsFile.open(pairsFile)) {
            PairsFile.Row row;
            while ((row = f.next()) != null) {
                PairJob job = PairJob.of(row, f.name(), defaults, models);
                metrics.addAll(job.request().options().metricNames());
                rows++;
            }
        }
        metrics.remove("vmaf");
        return new Checked(rows, new ArrayList<>(metrics));
    }

    /**
     * Runs the batch. Returns when every pair has ended, or, interrupted, once the running ones are cancelled.
     *
     * @throws BadPairsFile a malformed row, an unreadable pairs file, a results or summary file that cannot be written
     */
    public Outcome run(PairScorer scorer, boolean progressBar) throws BadPairsFile {
        Checked checked = check();
        if (checked.rows() == 0) {
            throw new BadPairsFile(pairsFile + ": no pairs in it");
        }
        try (ResultsFile results = ResultsFile.open(resultsPath)) {
            if (results.unreadable() > 0) {
                err.println("vmafx-node: " + resultsPath + ": ignored " + results.unreadable()
                        + " line(s) that are not results (the torn last line of a run that was killed?)");
            }
            BatchProgress progress = progressBar ? BatchProgress.forConsole(checked.rows()) : BatchProgress.quiet(checked.rows());
            AtomicLong scored = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            long skipped = 0;
            boolean interrupted = false;
            ExecutorService pool = Executors.newFixedThreadPool(jobs, daemon("vmafx-batch-"));
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("vmafx-batch-progress-"));
            if (progress.drawing()) {
                ticker.scheduleAtFixedRate(progress::tick, 1, 1, TimeUnit.SECONDS);
            }
            Semaphore free = new Semaphore(jobs);
            Set<String> started = new HashSet<>();
            IOException[] writeFailure = new IOException[1];
            try (PairsFile f = PairsFile.open(pairsFile)) {
                PairsFile.Row row;
                while ((row = f.next()) != null) {
                    PairJob job = PairJob.of(row, f.name(), defaults, models);
                    if (results.scored(job.key()) || !started.add(job.key())) {
                        // Scored by an earlier run, or the same pair and options as an earlier row of this one.
                        skipped++;
                        progress.skipped();
                        continue;
                    }
                    free.acquire();
                    if (writeFailure[0] != null) {
                        break;
                    }
                    pool.execute(() -> {
                        try {
                            Summary s;
                            try {
                                s = results.append(job, scorer.score(job), null);
                            } catch (PairScorer.Failed e) {
                                s = results.append(job, null, e.getMessage());
                            }
                            scored.incrementAndGet();
                            if (s.failed()) {
                                failed.incrementAndGet();
                                progress.println(err, "vmafx-node: " + pairsFile + " line " + job.line() + " (" + job.pair() + "): " + s.error());
                            }
                            progress.ended(!s.failed());
                        } catch (InterruptedException e) {
                            // cancelled: the pair has no line and a rerun scores it
                        } catch (IOException e) {
                            synchronized (writeFailure) {
                                writeFailure[0] = e;
                            }
                        } finally {
                            free.release();
                        }
                    });
                }
                free.acquire(jobs); // every pair has ended
                free.release(jobs);
            } catch (InterruptedException e) {
                interrupted = true;
                pool.shutdownNow(); // interrupts the scorers: ffmpeg killed, fleet jobs DELETEd
                try {
                    pool.awaitTermination(30, TimeUnit.SECONDS);
                } catch (InterruptedException again) {
                    Thread.currentThread().interrupt();
                }
            } finally {
                pool.shutdownNow();
                ticker.shutdownNow();
                progress.done();
            }
            if (writeFailure[0] != null) {
                throw new BadPairsFile(resultsPath + ": cannot write a result: " + writeFailure[0].getMessage());
            }
            long notScored = writeSummary(checked, results);
            return new Outcome(checked.rows(), scored.get(), skipped, notScored, interrupted);
        } catch (IOException e) {
            throw new BadPairsFile(resultsPath + ": " + e.getMessage());
        }
    }

    /** Pass 3; returns the rows that have no score (failed, in this run or a duplicate's, or not reached). */
    private long writeSummary(Checked checked, ResultsFile results) throws BadPairsFile {
        long notScored = 0;
        try (SummaryCsv csv = new SummaryCsv(summaryPath, checked.metrics()); PairsFile f = PairsFile.open(pairsFile)) {
            PairsFile.Row row;
            while ((row = f.next()) != null) {
                PairJob job = PairJob.of(row, f.name(), defaults, models);
                Summary summary = results.summary(job.key());
                if (summary == null || summary.failed()) {
                    notScored++;
                }
                csv.add(job, summary);
            }
            csv.commit();
            return notScored;
        } catch (IOException e) {
            throw new BadPairsFile(summaryPath + ": cannot write the summary: " + e.getMessage());
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
