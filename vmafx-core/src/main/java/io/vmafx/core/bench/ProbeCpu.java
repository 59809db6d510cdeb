package io.vmafx.core.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The probe's own CPU time per attached read run, as the kernel counted it ({@link BpfRunTime}): in percent of the
 * run's wall time (median over the runs, with a distribution-free confidence interval as {@link Overhead} gives the
 * wall-clock comparison), and in nanoseconds per program run.
 *
 * @param medianPercent   median of {@code probe CPU time / read time} over the runs, in percent
 * @param ciLowPercent    low end of its confidence interval
 * @param ciHighPercent   high end
 * @param ciCoverage      the interval's confidence
 * @param medianMicros    median probe CPU time per run, in microseconds
 * @param programRuns     median number of program runs per read run (every system call the tracepoints see)
 * @param nanosPerRun     median CPU time per program run, in nanoseconds
 */
record ProbeCpu(double medianPercent, double ciLowPercent, double ciHighPercent, double ciCoverage,
                double medianMicros, double programRuns, double nanosPerRun) {

    /**
     * @param cpuNanos the probe's CPU time in each attached run
     * @param runs     its program runs in each
     * @param readMs   each run's wall time
     */
    static ProbeCpu of(List<Long> cpuNanos, List<Long> runs, List<Double> readMs) {
        if (cpuNanos.isEmpty() || cpuNanos.size() != readMs.size() || runs.size() != readMs.size()) {
            throw new IllegalArgumentException("need one CPU time, program run count and read time per run");
        }
        List<Double> percent = new ArrayList<>();
        List<Double> micros = new ArrayList<>();
        List<Double> count = new ArrayList<>();
        List<Double> perRun = new ArrayList<>();
        for (int i = 0; i < readMs.size(); i++) {
            percent.add(cpuNanos.get(i) / (readMs.get(i) * 1e6) * 100);
            micros.add(cpuNanos.get(i) / 1e3);
            count.add((double) runs.get(i));
            perRun.add(runs.get(i) == 0 ? 0 : (double) cpuNanos.get(i) / runs.get(i));
        }
        List<Double> sorted = new ArrayList<>(percent);
        sorted.sort(null);
        int k = Overhead.ciRank(sorted.size());
        return new ProbeCpu(Overhead.median(percent), sorted.get(k - 1), sorted.get(sorted.size() - k),
                Overhead.ciCoverage(sorted.size(), k), Overhead.median(micros), Overhead.median(count), Overhead.median(perRun));
    }
}
