package dev.profilestore.cli.demo;

import ch.qos.logback.classic.Level;
import dev.profilestore.cli.CliException;
import dev.profilestore.cli.Durations;
import dev.profilestore.cli.Main;
import dev.profilestore.StoreConnection;
import dev.profilestore.cli.Output;
import dev.profilestore.StoreUri;
import dev.profilestore.cli.CliStore;
import dev.profilestore.Names;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code profilestore demo}: the simulated network, its live progress, and the audit. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs a small network of simulated game servers over one store: players join, earn coins, buy"
                + " items with receipts, trade and hop between servers while servers crash without saving. Then it"
                + " audits the store against what the servers did.",
                "Servers are threads of this process, or with --processes separate JVMs that crash by SIGKILL.",
                "Exit code 0 only when the audit is clean; 1 when it found a problem; 2 on bad input."})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--seed", description = "Seed for every random choice (default: random; printed in the report).")
    Long seed;

    @Option(names = "--servers", defaultValue = "4", description = "Game servers running at a time (default: ${DEFAULT-VALUE}).")
    int servers;

    @Option(names = "--players", defaultValue = "50", description = "Players, one profile each (default: ${DEFAULT-VALUE}).")
    int players;

    @Option(names = "--duration", defaultValue = "20s", converter = Durations.class,
            description = "How long players play before the audit, e.g. 20s, 2m (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--crash-rate", defaultValue = "6",
            description = "Server crashes per minute of play (default: ${DEFAULT-VALUE}); 0 for none.")
    double crashRate;

    @Option(names = "--lease", defaultValue = "3s", converter = Durations.class,
            description = "Server lease: how soon a crashed server's profiles are taken over (default: ${DEFAULT-VALUE}).")
    Duration lease;

    @Option(names = "--auto-save", defaultValue = "5s", converter = Durations.class,
            description = "Auto-save period (default: ${DEFAULT-VALUE}; the library's default is 300s).")
    Duration autoSave;

    @Option(names = "--store", paramLabel = "URI",
            description = "Store to run on: sqlite:PATH, memory: (not with --processes), postgres://, redis:// or mysql://"
                    + " URIs. Default: a new SQLite file in a temporary directory, deleted after the run. A given store"
                    + " must not hold profiles under --store-name yet (see --reset).")
    String store;

    @Option(names = "--processes",
            description = "Run each game server as a separate JVM; crashes kill one with SIGKILL and start a new one.")
    boolean processes;

    @Option(names = "--store-name", defaultValue = "DemoPlayers", description = "ProfileStore name (default: ${DEFAULT-VALUE}).")
    String storeName;

    @CommandLine.Mixin
    AuditedRunOptions run;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try {
            Names.storeName(storeName);
        } catch (IllegalArgumentException e) {
            throw new CliException("--store-name: " + e.getMessage());
        }
        DemoConfig config;
        try {
            config = new DemoConfig(seed != null ? seed : System.nanoTime() % 1_000_000, servers, players, duration, crashRate,
                    lease, autoSave, 0.2, true, Duration.ofMillis(100));
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        if (!Main.isVerbose()) {
            // Crashed servers fail every call by design; their warnings would bury the progress line. Errors on live
            // servers are counted in the report instead. --verbose turns logging back on.
            Main.setLogLevel("dev.profilestore", Level.OFF);
        }
        Path tempDir = null;
        StoreUri uri;
        if (store == null) {
            tempDir = Files.createTempDirectory("profilestore-demo-");
            uri = new StoreUri.Sqlite(tempDir.resolve("demo.db"));
        } else {
            uri = CliStore.parse(store);
        }
        if (processes && uri instanceof StoreUri.Memory) {
            throw new CliException("--processes needs a store that several processes can open (sqlite:PATH or a server"
                    + " URI), not memory:");
        }
        var progress = new Progress(spec.commandLine().getErr(), Progress.stderrIsTerminal(), run.quiet);
        DemoReport report;
        try (StoreConnection opened = CliStore.open(uri, CliStore.OpenMode.CREATE, Duration.ofSeconds(5))) {
            prepare(opened);
            progress.accept("demo on " + opened.description() + ": " + servers + (processes ? " server processes, " : " servers, ")
                    + players + " players, " + duration.toMillis() / 1000.0 + " s, seed " + config.seed());
            if (processes) {
                // The servers open the store themselves: a temporary SQLite file by its absolute path (their working
                // directory is ours anyway), any other URI as given.
                String childUri = uri instanceof StoreUri.Sqlite sqlite ? "sqlite:" + sqlite.file().toAbsolutePath() : store;
                report = new ProcessNetwork(config, opened, childUri, storeName, progress,
                        Main.isVerbose() ? progress : line -> { }, Main.isVerbose()).run();
            } else {
                report = new Simulation(config, opened, storeName, progress).run();
            }
        } finally {
            progress.finish();
            if (tempDir != null) {
                deleteTree(tempDir);
            }
        }
        Output out = new Output(spec.commandLine().getOut());
        if (run.json) {
            out.json(report);
        } else {
            print(out, report);
        }
        return report.audit().clean() ? 0 : 1;
    }

    private void prepare(StoreConnection opened) {
        requireEmpty(opened, storeName, run.reset, "the demo");
    }

    /**
     * Makes sure a run that audits from an empty store starts from one: erases the profiles already under
     * {@code storeName} with {@code reset}, refuses otherwise.
     *
     * @param opened the store
     * @param storeName the ProfileStore name
     * @param reset whether {@code --reset} was given
     * @param command the command, for the error message
     */
    public static void requireEmpty(StoreConnection opened, String storeName, boolean reset, String command) {
        List<String> existing = opened.storage().listKeys(storeName, null, 1000);
        if (existing.isEmpty()) {
            return;
        }
        if (!reset) {
            throw new CliException("store " + opened.description() + " already holds profiles under store name '"
                    + storeName + "'; " + command + " audits from an empty store: pass --reset to erase them, or another --store-name");
        }
        while (!existing.isEmpty()) {
            existing.forEach(k -> opened.storage().purge(storeName, k));
            existing = opened.storage().listKeys(storeName, null, 1000);
        }
    }

    /** Deletes a temporary directory and everything in it, as far as it can. */
    public static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary directory; the OS cleans it eventually
        }
    }

    private static void print(Output out, DemoReport r) {
        var a = r.audit();
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("store", r.store()));
        rows.add(List.of("seed", Long.toString(r.seed())));
        boolean separate = "processes".equals(r.mode());
        rows.add(List.of("profiles", r.profiles() + " on " + r.servers() + (separate ? " server processes, " : " servers, ")
                + r.durationS() + " s of play (" + r.elapsedS() + " s with the audit)"));
        rows.add(List.of("handoffs", r.handoffs() + " hops between live servers"));
        rows.add(List.of("handoff latency", String.format("p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                r.handoffLatencyMs().p50(), r.handoffLatencyMs().p99(), r.handoffLatencyMs().max())));
        rows.add(List.of("crashes", r.crashes() + (separate ? " server processes killed with SIGKILL"
                : " servers crashed without saving") + ", each replaced by a new one"));
        rows.add(List.of("takeovers", r.takeovers() + " sessions taken over from crashed servers (p50 "
                + r.takeoverLatencyMs().p50() + " ms, max " + r.takeoverLatencyMs().max() + " ms after the reconnect)"));
        rows.add(List.of("trades", r.tradesSkipped() != null ? "skipped: " + r.tradesSkipped()
                : r.trades() + " committed atomically, " + r.tradesFailed() + " failed with their server"));
        rows.add(List.of("purchases", r.purchasesRequested() + " requested, " + r.purchasesGranted() + " granted ("
                + r.purchaseResends() + " receipts sent twice, " + r.duplicatesBlocked() + " repeats refused by receipt id)"));
        rows.add(List.of("store writes", r.storeWrites() + " during play = " + r.writesPerProfileHour()
                + " per profile-hour (active players, auto-save every few seconds)"));
        rows.add(List.of("errors on live servers", r.storeErrors() + " store errors, " + r.sessionsLostOnLiveServers()
                + " sessions lost"));
        out.line("ProfileStore demo report");
        out.pairs(rows);
        out.line("");
        out.line("Audit: " + (a.clean() ? "CLEAN" : "PROBLEMS FOUND"));
        out.pairs(List.of(
                List.of("duplicated grants", Long.toString(a.duplicatedGrants())),
                List.of("lost acknowledged saves", Long.toString(a.lostAcknowledgedSaves())),
                List.of("economy total", a.economyTotal() + " (coins + item values in the store)"),
                List.of("granted total", a.grantedTotal() + " (coins earned + purchases granted, by the ground truth)"
                        + (a.economyTotal() == a.grantedTotal() ? ": equal" : ": DIFFERENT")),
                List.of("invariant violations", Long.toString(a.invariantViolations()))));
        for (String p : a.problems()) {
            out.line("  - " + p);
        }
    }
}
