package dev.profilestore.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The benchmark harness: runs every scenario and returns a {@link BenchReport}.
 *
 * <p>For the CLI: {@code BenchReport report = Bench.run(BenchOptions.shortRun());} then {@link #toText} for the
 * table or {@link #toJson} for {@code --json}. {@link #main} does the same from a shell.
 *
 * <p>Scenarios: (1) handoff latency per backend, holder live / notification lost / re-asked / holder crashed;
 * (2) session cycle throughput against the raw driver; (3) store writes per profile-hour; (4) heap per loaded
 * profile; (5) auto-save smoothness; (6) lock-and-poll and lock-and-pub/sub baselines on the same Redis; plus JMH
 * for the save path and the per-key queue. Database servers are started on loopback by {@link Servers}.
 */
public final class Bench {

    private static final Logger LOG = LoggerFactory.getLogger(Bench.class);

    private Bench() {}

    /** Runs the scenarios {@code options} select. Blocks for up to about 3 minutes (short) or 15 (full). */
    public static BenchReport run(BenchOptions options) {
        long t0 = System.nanoTime();
        boolean full = options.full();
        boolean tiny = options.tiny();
        var handoffSizes = tiny ? new HandoffScenario.Sizes(20, 2, 2, 1, 3, Duration.ofSeconds(1))
                : full ? new HandoffScenario.Sizes(1000, 30, 20, 2, 50, Duration.ofSeconds(15))
                : new HandoffScenario.Sizes(100, 5, 5, 1, 10, Duration.ofSeconds(3));
        var throughputSizes = tiny ? new ThroughputScenario.Sizes(Duration.ofMillis(200), Duration.ofMillis(300), 2)
                : full ? new ThroughputScenario.Sizes(Duration.ofSeconds(5), Duration.ofSeconds(10), 4)
                : new ThroughputScenario.Sizes(Duration.ofSeconds(1), Duration.ofMillis(1500), 4);
        List<BenchReport.Handoff> handoff = new ArrayList<>();
        List<BenchReport.Throughput> throughput = new ArrayList<>();
        Map<String, Histogram> curves = new LinkedHashMap<>();
        List<BenchReport.Handoff> baselines = new ArrayList<>();
        try (Servers servers = new Servers()) {
            if (!tiny) {
                warmUp(servers, full);
            }
            for (BackendKind kind : BackendKind.values()) {
                if (!options.backends().contains(kind)) {
                    continue;
                }
                LOG.info("backend {}", kind.label());
                try (Backend backend = new Backend(kind, servers)) {
                    // Throughput first: it also warms this backend's driver paths for the handoff latencies.
                    throughput.add(ThroughputScenario.run(backend, throughputSizes));
                    HandoffScenario.Outcome h = HandoffScenario.run(backend, handoffSizes);
                    handoff.addAll(h.results());
                    curves.put("ProfileStore, " + kind.label(), h.live());
                }
                if (options.peer() && kind != BackendKind.MEMORY) {
                    // Peer runs repeat the live, lost and re-asked cases; a crash is the store's lease either way.
                    var peerSizes = new HandoffScenario.Sizes(handoffSizes.liveSamples(), handoffSizes.lostSamples(),
                            handoffSizes.reaskSamples(), 0, 0, handoffSizes.crashLease());
                    try (Backend backend = new Backend(kind, servers, true)) {
                        HandoffScenario.Outcome h = HandoffScenario.run(backend, peerSizes);
                        handoff.addAll(h.results());
                        curves.put("ProfileStore, " + backend.label(), h.live());
                    }
                    if (kind == BackendKind.MARIADB) {
                        // MariaDB flushes its log at every commit by default, which the bench's PostgreSQL does not
                        // (see Servers.mariadbLogFlush): the same handoff with the flush once a second, a setting a
                        // deployment can choose, shows what the flush costs.
                        servers.mariadbLogFlush(2);
                        try (Backend backend = new Backend(kind, servers, true, MARIADB_FLUSH_EACH_SECOND)) {
                            HandoffScenario.Outcome h = HandoffScenario.run(backend, peerSizes);
                            handoff.addAll(h.results());
                            curves.put("ProfileStore, " + backend.label(), h.live());
                        } finally {
                            servers.mariadbLogFlush(1);
                        }
                    }
                }
            }
            if (options.baselines()) {
                String uri = servers.redisUri();
                int pollSamples = tiny ? 3 : full ? 60 : 10;
                int wakeSamples = tiny ? 20 : full ? 1000 : 100;
                for (var style : LockBaseline.Style.values()) {
                    Histogram h = Dist.histogram();
                    baselines.add(LockBaseline.run(uri, style, style == LockBaseline.Style.POLL_500MS ? pollSamples
                            : wakeSamples, h));
                    curves.put(style.label, h);
                }
                handoff.stream().filter(x -> x.backend().equals("Redis") && x.scenario().equals("live holder"))
                        .findFirst().ifPresent(ours -> baselines.addFirst(new BenchReport.Handoff("Redis",
                                "ProfileStore (this library)", ours.latency(), null, null)));
            }
        }
        BenchReport.WriteCost writeCost = SimScenarios.writeCost(tiny ? 100 : full ? 10_000 : 1_000);
        List<BenchReport.Memory> memory = new ArrayList<>();
        for (int n : tiny ? new int[] {1_000} : new int[] {10_000, 100_000}) {
            memory.add(SimScenarios.memory(n));
        }
        BenchReport.Smoothness smoothness = SimScenarios.smoothness(tiny ? 1_000 : 10_000);
        List<BenchReport.Micro> micro = options.jmh() ? jmh(full) : List.of();
        List<String> charts = new ArrayList<>();
        if (options.chartDir() != null) {
            String sub = "loopback, " + Runtime.getRuntime().availableProcessors() + " cores, " + options.mode() + " run";
            charts.add(Charts.handoff(options.chartDir(), curves, sub).toString());
            charts.add(Charts.smoothness(options.chartDir(), smoothness).toString());
        }
        List<BenchReport.Target> targets = targets(handoff, throughput, baselines, writeCost, memory);
        return new BenchReport(options.mode(), BenchReport.Machine.current(), handoff, throughput, writeCost, memory,
                smoothness, baselines, micro, targets, charts, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Brings the engine's code to the JIT's steady state before anything is measured, as on a game server that
     * has been up for a while: session cycles and handoffs on the in-memory store, results discarded.
     */
    private static void warmUp(Servers servers, boolean full) {
        LOG.info("JIT warm-up on the in-memory store");
        try (Backend memory = new Backend(BackendKind.MEMORY, servers)) {
            ThroughputScenario.run(memory, new ThroughputScenario.Sizes(Duration.ofSeconds(full ? 5 : 2),
                    Duration.ofMillis(500), 2));
            HandoffScenario.run(memory, new HandoffScenario.Sizes(full ? 5000 : 2000, 0, 0, 0, 0, Duration.ofSeconds(1)));
        }
    }

    private static List<BenchReport.Micro> jmh(boolean full) {
        var b = new OptionsBuilder()
                .include("dev\\.profilestore\\.bench\\.jmh\\.SaveBenchmark\\..*")
                .shouldFailOnError(true)
                .output(jmhLog().toString()); // JMH's own progress output would mix into --json on stdout
        if (full) {
            b.forks(1).warmupIterations(3).warmupTime(TimeValue.seconds(2)).measurementIterations(5)
                    .measurementTime(TimeValue.seconds(2)).jvmArgsAppend("-Xmx1g");
        } else {
            b.forks(0).warmupIterations(1).warmupTime(TimeValue.seconds(1)).measurementIterations(2)
                    .measurementTime(TimeValue.seconds(1));
        }
        try {
            List<BenchReport.Micro> out = new ArrayList<>();
            for (RunResult r : new Runner(b.build()).run()) {
                var s = r.getPrimaryResult();
                String name = r.getParams().getBenchmark();
                name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
                out.add(new BenchReport.Micro(name, s.getScore(), s.getScoreError(), s.getScoreUnit()));
            }
            return out;
        } catch (RunnerException e) {
            throw new IllegalStateException("JMH failed: " + e.getMessage(), e);
        }
    }

    private static Path jmhLog() {
        try {
            Path log = Files.createTempFile("profilestore-bench-jmh", ".log");
            LOG.info("JMH progress goes to {}", log);
            return log;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The label of MariaDB with its log flushed once a second rather than at each commit. */
    static final String MARIADB_FLUSH_EACH_SECOND = " (log flushed each second)";

    /** The same run's live-holder handoff of {@code backend} (a label), if measured. */
    private static Dist live(List<BenchReport.Handoff> handoff, String backend) {
        return handoff.stream().filter(h -> h.backend().equals(backend) && h.scenario().equals("live holder"))
                .map(BenchReport.Handoff::latency).findFirst().orElse(null);
    }

    private static String p50p99(Dist d) {
        return "p50 " + Fmt.ms(d.p50Ms()) + " ms, p99 " + Fmt.ms(d.p99Ms()) + " ms";
    }

    /**
     * The aims of the brief and of issue 10, each with the figure and, where the run measured one, the ratio to its
     * peer in the same run: the Redis lock a developer would hand-write, the backend's own messaging against peer
     * messaging, the raw driver.
     */
    private static List<BenchReport.Target> targets(List<BenchReport.Handoff> handoff, List<BenchReport.Throughput> throughput,
                                                    List<BenchReport.Handoff> baselines, BenchReport.WriteCost writeCost,
                                                    List<BenchReport.Memory> memory) {
        List<BenchReport.Target> t = new ArrayList<>();
        Dist redisson = baselines.stream().filter(b -> b.scenario().equals(LockBaseline.Style.PUBSUB_WAKE.label))
                .map(BenchReport.Handoff::latency).findFirst().orElse(null);
        for (BenchReport.Handoff h : handoff) {
            Dist d = h.latency();
            boolean measured = d.count() > 0;
            if (h.scenario().equals("live holder") && h.backend().endsWith(" + peer")) {
                Dist alone = live(handoff, h.backend().substring(0, h.backend().length() - " + peer".length()));
                t.add(new BenchReport.Target("handoff, live holder, " + h.backend(), "p50 <= 1.5 ms, p99 <= 5 ms",
                        p50p99(d) + (alone == null ? "" : " (p50 " + Fmt.num(d.p50Ms() / alone.p50Ms(), 2)
                                + " x the store's messaging alone)"),
                        measured && d.p50Ms() <= 1.5 && d.p99Ms() <= 5));
            } else if (h.scenario().equals("live holder") && h.backend().equals(BackendKind.REDIS.label())) {
                t.add(new BenchReport.Target("handoff, live holder, Redis", "p50 <= 0.5 ms and below the Redisson-style"
                        + " lock in the same run", p50p99(d) + (redisson == null ? "" : " (p50 " + Fmt.num(d.p50Ms()
                        / redisson.p50Ms(), 2) + " x Redisson-style " + Fmt.ms(redisson.p50Ms()) + " ms)"),
                        measured && d.p50Ms() <= 0.5 && (redisson == null || d.p50Ms() < redisson.p50Ms())));
            } else if (h.scenario().equals("live holder") && h.backend().equals(BackendKind.SQLITE.label())) {
                t.add(new BenchReport.Target("handoff, live holder, SQLite (one JVM)", "p50 <= 1 ms", p50p99(d),
                        measured && d.p50Ms() <= 1));
            } else if (h.scenario().equals("live holder")) {
                t.add(new BenchReport.Target("handoff, live holder, " + h.backend(), "p50 <= 3 ms, p99 <= 20 ms",
                        p50p99(d), measured && d.p50Ms() <= 3 && d.p99Ms() <= 20));
            } else if (h.scenario().equals("holder crashed")) {
                t.add(new BenchReport.Target("takeover after a crash, " + h.backend(), "<= lease ("
                        + Fmt.num(h.leaseMs() / 1000, 0) + " s), p99 from the crash", "p99 " + Fmt.num(d.p99Ms() / 1000, 2)
                        + " s = " + Fmt.num(h.p99OverLease(), 2) + " x lease", measured && h.p99OverLease() <= 1.0));
            }
        }
        t.add(new BenchReport.Target("store writes per idle profile-hour", "<= 1 (original: 12)",
                Fmt.num(writeCost.idleWritesPerProfileHour(), 2) + " (+ " + Fmt.num(writeCost.leaseWritesPerServerHour(), 0)
                        + " lease renewals per server-hour)", writeCost.idleWritesPerProfileHour() <= 1));
        for (BenchReport.Throughput x : throughput) {
            if (x.backend().equals(BackendKind.MEMORY.label())) {
                // No driver: its "raw" side is bare method calls, so the cycle's latency is the engine's own cost.
                t.add(new BenchReport.Target("engine cost per session cycle, in-memory, " + x.workers() + " callers",
                        "p50 <= 50 µs", "p50 " + Fmt.num(x.oursCycle().p50Ms() * 1000, 0) + " µs",
                        x.oursCycle().p50Ms() <= 0.050));
                continue;
            }
            t.add(new BenchReport.Target("session cycle throughput vs raw driver, " + x.backend(), ">= 0.8",
                    Fmt.num(x.ratio(), 2), x.ratio() >= 0.8));
        }
        for (BenchReport.Memory m : memory) {
            t.add(new BenchReport.Target("memory per loaded profile beyond its data, " + m.profiles() + " profiles",
                    "<= 1 KiB", Math.round(m.bytesBeyondData()) + " bytes", m.bytesBeyondData() <= 1024));
        }
        return t;
    }

    // ------------------------------------------------------------------ output

    /** The report as indented JSON. */
    public static String toJson(BenchReport report) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The report as plain-text tables, for a terminal. */
    public static String toText(BenchReport r) {
        return toMarkdown(r).replace("**", "");
    }

    /** The report's result tables in Markdown. */
    public static String toMarkdown(BenchReport r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Run: %s mode, %d cores, max heap %d MiB, Java %s, %s, %.0f s.%n%n", r.mode(),
                r.machine().cores(), r.machine().maxHeapMiB(), r.machine().java(), r.machine().os(), r.seconds()));
        b.append("### Targets\n\n| what | aim | measured | result |\n|---|---|---|---|\n");
        for (BenchReport.Target t : r.targets()) {
            b.append("| ").append(t.what()).append(" | ").append(t.aim()).append(" | ").append(t.measured()).append(" | ")
                    .append(t.pass() ? "pass" : "**MISS**").append(" |\n");
        }
        if (!r.handoff().isEmpty()) {
            b.append("\n### 1. Handoff latency (ms, from the start call to holding the profile)\n\n")
                    .append("| backend | case | samples | p50 | p90 | p99 | max |\n|---|---|---|---|---|---|---|\n");
            for (BenchReport.Handoff h : r.handoff()) {
                handoffRow(b, h);
            }
        }
        if (!r.throughput().isEmpty()) {
            b.append("\n### 2. Session cycles per second (start + change + save + end), against the raw driver\n\n")
                    .append("| backend | threads | ours /s | raw /s | ratio | cycle p50 ours / raw (ms) | record bytes |\n")
                    .append("|---|---|---|---|---|---|---|\n");
            for (BenchReport.Throughput x : r.throughput()) {
                b.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.2f | %s / %s | %d |%n", x.backend(), x.workers(),
                        x.oursPerSecond(), x.rawPerSecond(), x.ratio(), Fmt.ms(x.oursCycle().p50Ms()),
                        Fmt.ms(x.rawCycle().p50Ms()), x.payloadBytes()));
            }
        }
        BenchReport.WriteCost w = r.writeCost();
        b.append("\n### 3. Store writes per profile-hour (").append(w.profiles()).append(" profiles, simulated hour)\n\n")
                .append("| | ours | original ProfileStore |\n|---|---|---|\n")
                .append(String.format(Locale.ROOT, "| idle profile: record writes | %.2f | %.0f |%n", w.idleWritesPerProfileHour(),
                        w.originalWritesPerProfileHour()))
                .append(String.format(Locale.ROOT, "| idle profile: record reads (auto-save check) | %.2f | 0 |%n",
                        w.idleReadsPerProfileHour()))
                .append(String.format(Locale.ROOT, "| active profile (changed before every save): record writes | %.2f | %.0f |%n",
                        w.activeWritesPerProfileHour(), w.originalWritesPerProfileHour()))
                .append(String.format(Locale.ROOT, "| lease renewals per server-hour (shared by all its profiles) | %.0f"
                        + " (%.3f per profile) | 0 |%n", w.leaseWritesPerServerHour(), w.leaseWritesPerProfileHour()));
        b.append("\n### 4. Heap per loaded profile (in-memory store, after GC)\n\n")
                .append("| profiles | beyond the data (bytes) | the data object (bytes) | total (bytes) |\n|---|---|---|---|\n");
        for (BenchReport.Memory m : r.memory()) {
            b.append(String.format(Locale.ROOT, "| %d | %.0f | %.0f | %.0f |%n", m.profiles(), m.bytesBeyondData(), m.dataBytes(),
                    m.totalBytes()));
        }
        BenchReport.Smoothness s = r.smoothness();
        b.append("\n### 5. Auto-save smoothness (").append(s.profiles()).append(" changing profiles, ")
                .append(s.periodSeconds()).append(" s period, seconds ").append(s.fromSecond()).append(" to ")
                .append(s.perSecond() == null ? "?" : s.perSecond().length).append(")\n\n")
                .append("| mean writes/s | max | min | max/mean |\n|---|---|---|---|\n")
                .append(String.format(Locale.ROOT, "| %.2f | %d | %d | %.2f |%n", s.meanPerSecond(), s.maxPerSecond(),
                        s.minPerSecond(), s.maxOverMean()));
        if (!r.baselines().isEmpty()) {
            b.append("\n### 6. Against hand-written Redis locks (same Redis, live holder, ms)\n\n")
                    .append("| backend | approach | samples | p50 | p90 | p99 | max |\n|---|---|---|---|---|---|---|\n");
            for (BenchReport.Handoff h : r.baselines()) {
                handoffRow(b, h);
            }
        }
        if (!r.micro().isEmpty()) {
            b.append("\n### JMH micro benchmarks\n\n| benchmark | score | error (99.9%) | unit |\n|---|---|---|---|\n");
            for (BenchReport.Micro m : r.micro()) {
                b.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %s |%n", m.benchmark(), m.score(), m.error(), m.unit()));
            }
        }
        return b.toString();
    }

    private static void handoffRow(StringBuilder b, BenchReport.Handoff h) {
        Dist d = h.latency();
        b.append("| ").append(h.backend()).append(" | ").append(h.scenario())
                .append(h.leaseMs() != null ? " (lease " + Fmt.num(h.leaseMs() / 1000, 0) + " s)" : "").append(" | ")
                .append(d.count()).append(" | ").append(Fmt.ms(d.p50Ms())).append(" | ").append(Fmt.ms(d.p90Ms()))
                .append(" | ").append(Fmt.ms(d.p99Ms())).append(" | ").append(Fmt.ms(d.maxMs())).append(" |\n");
    }

    /** Writes {@code docs/benchmarks.md} from its template with this report's tables, next to the charts. */
    public static Path writeDocs(BenchReport report, Path docsDir) {
        String template;
        try (InputStream in = Bench.class.getResourceAsStream("benchmarks-template.md")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path file = docsDir.resolve("benchmarks.md");
        try {
            Files.writeString(file, template.replace("{{RESULTS}}", toMarkdown(report).strip()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    // ------------------------------------------------------------------ command line

    /**
     * {@code [--full] [--json] [--backends memory,sqlite,postgres,redis,mariadb] [--no-jmh] [--no-baselines] [--peer]
     * [--charts DIR] [--docs DIR]}. {@code --peer} measures each database backend's handoff again with peer
     * messaging. {@code --docs DIR} writes DIR/benchmarks.md and the charts under DIR/bench.
     */
    public static void main(String[] args) {
        BenchOptions options = BenchOptions.shortRun();
        boolean json = false;
        Path docs = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--full" -> options = new BenchOptions(true, options.backends(), options.baselines(), options.jmh(),
                        options.chartDir(), false, options.peer());
                case "--short" -> { }
                case "--json" -> json = true;
                case "--no-jmh" -> options = options.withJmh(false);
                case "--no-baselines" -> options = options.withBaselines(false);
                case "--peer" -> options = options.withPeer(true);
                case "--backends" -> {
                    Set<BackendKind> kinds = EnumSet.noneOf(BackendKind.class);
                    for (String s : args[++i].split(",")) {
                        kinds.add(BackendKind.parse(s));
                    }
                    options = options.withBackends(kinds);
                }
                case "--charts" -> options = options.withChartDir(Path.of(args[++i]));
                case "--docs" -> {
                    docs = Path.of(args[++i]);
                    options = options.withChartDir(docs.resolve("bench"));
                }
                case "-h", "--help" -> {
                    System.out.println("usage: bench [--full] [--json] [--backends memory,sqlite,postgres,redis,mariadb]"
                            + " [--no-jmh] [--no-baselines] [--peer] [--charts DIR] [--docs DIR]");
                    return;
                }
                default -> {
                    System.err.println("unknown option " + args[i] + "; try --help");
                    System.exit(2);
                }
            }
        }
        BenchReport report = run(options);
        if (docs != null) {
            LOG.info("wrote {}", writeDocs(report, docs));
        }
        System.out.println(json ? toJson(report) : toText(report));
        System.exit(0); // embedded servers' and drivers' non-daemon threads must not keep the JVM alive
    }
}
