package io.vmafx.core.cli;

import io.vmafx.core.batch.Batch;
import io.vmafx.core.batch.BadPairsFile;
import io.vmafx.core.batch.FleetScorer;
import io.vmafx.core.batch.LocalScorer;
import io.vmafx.core.batch.PairScorer;
import io.vmafx.core.config.Variable;
import io.vmafx.core.job.JobFields;
import io.vmafx.core.node.Node;
import io.vmafx.core.score.ScoreOptions;
import io.vmafx.core.score.VmafModel;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vmafx-node batch PAIRS.csv|PAIRS.jsonl}: scores every pair of a file, in this process or through a fleet's job
 * API ({@code --api}), resumably (see {@link Batch}). Exit 0 when every pair has a score, 1 when one failed, 2 for a bad
 * file or setting, 130 when interrupted.
 */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = {"Score every pair of a CSV (with a header row) or JSONL file: reference_uri, distorted_uri and the options "
                + "score takes (by the job API's names or score's), one pair a row.",
                "Results go to PAIRS.results.jsonl (one line a pair), which a rerun reads to skip what is scored; a CSV "
                        + "summary to PAIRS.summary.csv. Exit 0: all scored; 1: a pair failed; 2: a bad file or setting."})
final class BatchCommand extends NodeCommand {

    /** It runs jobs in slots as a serving node does ({@code VMAFX_NODE_SLOTS}) and refuses a token on argv itself. */
    @Override
    boolean serves() {
        return true;
    }


    /** Pairs in flight through a fleet when --jobs is not given: enough to keep a few nodes busy; their queues hold the rest. */
    static final int DEFAULT_FLEET_JOBS = 8;
    static final int MAX_JOBS = 1024;
    private static final long MAX_TOKEN_FILE = 4096;

    @Parameters(index = "0", paramLabel = "PAIRS", description = "the pairs: a .csv file with a header row, or .jsonl")
    Path pairs;
    @Option(names = "--jobs", paramLabel = "N", description = "pairs scored at once (default: VMAFX_NODE_SLOTS when set, else the cores; "
            + "with --api, " + DEFAULT_FLEET_JOBS + ")")
    Integer jobs;
    @Option(names = "--api", paramLabel = "URL", description = "score through a fleet's job API (serve, or a load balancer before several) instead of in this process")
    String api;
    @Option(names = "--token-file", paramLabel = "FILE", description = "a file holding the API's bearer token (else VMAFX_NODE_TOKEN from the environment)")
    Path tokenFile;
    @Option(names = "--results", paramLabel = "FILE", description = "the results, one JSON line a pair (default: PAIRS.results.jsonl beside the pairs file)")
    Path results;
    @Option(names = "--summary", paramLabel = "FILE", description = "the CSV summary (default: PAIRS.summary.csv beside the pairs file)")
    Path summary;

    @Override
    long shutdownGraceMillis() {
        return 45_000; // the running pairs are cancelled (ffmpeg killed, fleet jobs deleted) and the summary written
    }

    @Override
    int run(Node node) throws Exception {
        if (NodeOptions.flags(spec).containsKey(Variable.NODE_TOKEN)) {
            throw new CliFailure(Main.EXIT_CONFIG, "batch: a token on the command line is visible to every user of the machine; "
                    + "use --token-file FILE or VMAFX_NODE_TOKEN");
        }
        if (api == null && tokenFile != null) {
            throw new CliFailure(Main.EXIT_CONFIG, "batch: --token-file is for --api");
        }
        if (jobs != null && (jobs < 1 || jobs > MAX_JOBS)) {
            throw new CliFailure(Main.EXIT_CONFIG, "batch: --jobs: expected a whole number from 1 to " + MAX_JOBS + ", got " + jobs);
        }
        ScoreOptions defaults = ScoreOptions.DEFAULTS.withModels(node.config().defaultModels());
        PairScorer scorer;
        JobFields.Models models;
        int n;
        if (api == null) {
            scorer = new LocalScorer(node.executor());
            models = name -> node.config().parseModels(name, true).get(0);
            n = jobs != null ? jobs : localJobs(node);
        } else {
            FleetScorer fleet = new FleetScorer(apiUri(api), token());
            try {
                fleet.check();
            } catch (FleetScorer.Unusable e) {
                throw new CliFailure(Main.EXIT_CONFIG, "batch: " + e.getMessage());
            }
            scorer = fleet;
            models = BatchCommand::fleetModel;
            n = jobs != null ? jobs : DEFAULT_FLEET_JOBS;
        }
        Path resultsPath = results != null ? results : Batch.defaultResults(pairs);
        Path summaryPath = summary != null ? summary : Batch.defaultSummary(pairs);
        Batch batch = new Batch(pairs, resultsPath, summaryPath, defaults, models, n, System.err);
        Batch.Outcome o;
        try {
            o = batch.run(scorer, true);
        } catch (BadPairsFile e) {
            throw new CliFailure(Main.EXIT_CONFIG, e.getMessage());
        }
        String line = String.format(Locale.ROOT, "batch: %d pairs: %d scored now (%d failed), %d skipped (scored before); results %s, summary %s",
                o.total(), o.scored(), o.failed(), o.skipped(), resultsPath, summaryPath);
        if (o.interrupted()) {
            throw new InterruptedException();
        }
        System.err.println(line);
        return o.failed() > 0 ? Main.EXIT_JOB_FAILED : 0;
    }

    /** VMAFX_NODE_SLOTS when the user set it, else one pair per core. */
    private static int localJobs(Node node) throws CliFailure {
        if (node.config().sourceOf(Variable.NODE_SLOTS.env()).equals("default")) {
            return Runtime.getRuntime().availableProcessors();
        }
        String text = node.config().get(Variable.NODE_SLOTS).orElse("").strip();
        try {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= MAX_JOBS) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new CliFailure(Main.EXIT_CONFIG, node.config().sourceOf(Variable.NODE_SLOTS.env())
                + ": expected a whole number from 1 to " + MAX_JOBS + ", got '" + text + "'");
    }

    /**
     * A model as a fleet job names it: built-in names are checked here; a {@code .json} file is the fleet's (in its
     * models directory), so it is passed on as written and checked there.
     */
    private static VmafModel fleetModel(String name) {
        String n = name.strip();
        boolean phone = n.toLowerCase(Locale.ROOT).endsWith(":phone");
        String base = phone ? n.substring(0, n.length() - ":phone".length()) : n;
        if (VmafModel.BUILT_IN.contains(base) || !base.endsWith(".json")) {
            return VmafModel.parse(n, null, true); // a built-in, or the unknown model's message
        }
        return new VmafModel(null, Path.of(base), phone);
    }

    private static URI apiUri(String text) throws CliFailure {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (java.net.URISyntaxException e) {
            throw new CliFailure(Main.EXIT_CONFIG, "batch: --api: not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new CliFailure(Main.EXIT_CONFIG, "batch: --api: expected http(s)://host[:port], got " + text.strip());
        }
        if (uri.getUserInfo() != null || uri.getQuery() != null || uri.getFragment() != null) {
            throw new CliFailure(Main.EXIT_CONFIG, "batch: --api: only scheme, host, port and path (the token goes in --token-file or VMAFX_NODE_TOKEN)");
        }
        return uri;
    }

    /** The token from --token-file (its first line), else VMAFX_NODE_TOKEN, else none. */
    private Optional<String> token() throws CliFailure {
        if (tokenFile != null) {
            try {
                if (!Files.isRegularFile(tokenFile)) {
                    throw new CliFailure(Main.EXIT_CONFIG, "batch: --token-file " + tokenFile + ": not a regular file");
                }
                if (Files.size(tokenFile) > MAX_TOKEN_FILE) {
                    throw new CliFailure(Main.EXIT_CONFIG, "batch: --token-file " + tokenFile + ": larger than " + MAX_TOKEN_FILE + " bytes: not a token");
                }
                String t = Files.readString(tokenFile, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
                if (t.isEmpty()) {
                    throw new CliFailure(Main.EXIT_CONFIG, "batch: --token-file " + tokenFile + ": empty");
                }
                return Optional.of(t);
            } catch (IOException e) {
                throw new CliFailure(Main.EXIT_CONFIG, "batch: --token-file " + tokenFile + ": cannot be read: " + e.getMessage());
            }
        }
        return Optional.ofNullable(System.getenv(Variable.NODE_TOKEN.env())).map(String::strip).filter(s -> !s.isEmpty());
    }
}
