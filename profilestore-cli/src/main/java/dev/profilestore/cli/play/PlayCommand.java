package dev.profilestore.cli.play;

import ch.qos.logback.classic.Level;
import dev.profilestore.Names;
import dev.profilestore.StoreConnection;
import dev.profilestore.StoreUri;
import dev.profilestore.cli.CliException;
import dev.profilestore.cli.CliStore;
import dev.profilestore.cli.Durations;
import dev.profilestore.cli.Main;
import dev.profilestore.cli.Output;
import dev.profilestore.cli.demo.AuditedRunOptions;
import dev.profilestore.cli.demo.DemoCommand;
import dev.profilestore.cli.demo.Progress;
import dev.profilestore.minestom.example.GameServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code profilestore play}: the example Minestom network, played by protocol bots, with kills, and its audit. */
@Command(name = "play", mixinStandardHelpOptions = true,
        description = {"Starts a network of example Minestom game servers, each its own JVM, over one store, and bots"
                + " that play it over the real Minecraft protocol on 127.0.0.1: they earn coins, give each other coins"
                + " (/gift, a durable message) and hop from server to server with the transfer packet (/hop), while"
                + " servers are killed with SIGKILL and restarted. Then it audits the store against what the servers"
                + " told the bots.",
                "Exit code 0 only when the audit is clean; 1 when it found a problem; 2 on bad input."})
public final class PlayCommand implements Callable<Integer> {

    @Option(names = "--seed", description = "Seed for the bots' choices and the kill moments (default: random; printed).")
    Long seed;

    @Option(names = "--servers", defaultValue = "3", description = "Game server JVMs (default: ${DEFAULT-VALUE}).")
    int servers;

    @Option(names = "--bots", defaultValue = "6", description = "Bots, one player each (default: ${DEFAULT-VALUE}).")
    int bots;

    @Option(names = "--hops", defaultValue = "12", description = "Hops each bot makes (default: ${DEFAULT-VALUE}).")
    int hops;

    @Option(names = "--kill-rate", defaultValue = "0",
            description = "Server kills (SIGKILL, then a restart) per minute of play (default: ${DEFAULT-VALUE}).")
    double killRate;

    @Option(names = "--lease", defaultValue = "2s", converter = Durations.class,
            description = "Server lease: how soon a killed server's profiles are taken over (default: ${DEFAULT-VALUE}).")
    Duration lease;

    @Option(names = "--earn-every", defaultValue = "100ms", converter = Durations.class,
            description = "How often an online player earns a coin (default: ${DEFAULT-VALUE}).")
    Duration earnEvery;

    @Option(names = "--gift-chance", defaultValue = "0.3",
            description = "Chance a bot gives a coin to another bot before a hop (default: ${DEFAULT-VALUE}).")
    double giftChance;

    @Option(names = "--max-play", defaultValue = "5m", converter = Durations.class,
            description = "Fail the run when the bots have not finished by then (default: ${DEFAULT-VALUE}).")
    Duration maxPlay;

    @Option(names = "--store", paramLabel = "URI",
            description = "Store: sqlite:PATH, postgres://, redis:// or mysql:// URIs. Default: a new SQLite file in a"
                    + " temporary directory, deleted after the run. A given store must not hold profiles under"
                    + " --store-name yet (see --reset).")
    String store;

    @Option(names = "--store-name", defaultValue = GameServer.STORE_NAME, description = "ProfileStore name (default: ${DEFAULT-VALUE}).")
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
        PlayConfig config;
        try {
            config = new PlayConfig(seed != null ? seed : System.nanoTime() % 1_000_000, servers, bots, hops, killRate,
                    lease, earnEvery, giftChance, maxPlay);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        if (!Main.isVerbose()) {
            // A killed server's store calls fail by design; the report counts what matters.
            Main.setLogLevel("dev.profilestore", Level.OFF);
        }
        Path tempDir = null;
        StoreUri uri;
        if (store == null) {
            tempDir = Files.createTempDirectory("profilestore-play-");
            uri = new StoreUri.Sqlite(tempDir.resolve("play.db"));
        } else {
            uri = CliStore.parse(store);
        }
        if (uri instanceof StoreUri.Memory) {
            throw new CliException("play needs a store that several processes can open (sqlite:PATH or a server URI),"
                    + " not memory:");
        }
        var progress = new Progress(spec.commandLine().getErr(), Progress.stderrIsTerminal(), run.quiet);
        PlayReport report;
        try (StoreConnection opened = CliStore.open(uri, CliStore.OpenMode.CREATE, Duration.ofSeconds(5))) {
            DemoCommand.requireEmpty(opened, storeName, run.reset, "play");
            progress.accept("play on " + opened.description() + ": " + servers + " game servers, " + bots + " bots, "
                    + hops + " hops each, seed " + config.seed());
            String childUri = uri instanceof StoreUri.Sqlite sqlite ? "sqlite:" + sqlite.file().toAbsolutePath() : store;
            report = new PlayNetwork(config, opened, childUri, storeName, progress,
                    Main.isVerbose() ? progress : line -> { }).run();
        } finally {
            progress.finish();
            if (tempDir != null) {
                DemoCommand.deleteTree(tempDir);
            }
        }
        Output out = new Output(spec.commandLine().getOut());
        if (run.json) {
            out.json(report);
        } else {
            print(out, report);
        }
        return report.clean() ? 0 : 1;
    }

    private static void print(Output out, PlayReport r) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("store", r.store()));
        rows.add(List.of("seed", Long.toString(r.seed())));
        rows.add(List.of("network", r.servers() + " game server JVMs, " + r.bots() + " protocol bots, " + r.elapsedS()
                + " s in all"));
        rows.add(List.of("hops", r.hops() + " measured, " + r.hopsRedirected() + " redirected (their server was down), "
                + r.loginsAbandoned() + " logins given up"));
        rows.add(List.of("hop latency", String.format("p50 %.2f ms, p99 %.2f ms, max %.2f ms (transfer packet to profile"
                + " live on the next server)", r.hopLatencyMs().p50(), r.hopLatencyMs().p99(), r.hopLatencyMs().max())));
        rows.add(List.of("server kills", r.serverKills() + " (SIGKILL, restarted); " + r.reconnects()
                + " bots rejoined elsewhere, p50 " + r.reconnectLatencyMs().p50() + " ms"));
        rows.add(List.of("coins", r.coinsEarnedReported() + " earned as shown to the bots, " + r.coinsAcknowledged()
                + " acknowledged saved, " + r.coinsEarnedStored() + " earned in the store, " + r.coinsStored()
                + " in balances"));
        rows.add(List.of("gifts", r.giftsSent() + " acknowledged to senders, " + r.giftsPaid() + " paid, "
                + r.giftsApplied() + " applied"));
        out.line("ProfileStore play report");
        out.pairs(rows);
        out.line("");
        out.line("Audit: " + (r.clean() ? "CLEAN" : "PROBLEMS FOUND"));
        out.pairs(List.of(List.of("duplicated coins", Long.toString(r.duplicatedCoins())),
                List.of("lost coins", Long.toString(r.lostCoins()))));
        for (String p : r.problems()) {
            out.line("  - " + p);
        }
    }
}
