package dev.profilestore.cli.demo;

import dev.profilestore.cli.Durations;
import dev.profilestore.StoreConnection;
import dev.profilestore.cli.Output;
import dev.profilestore.StoreUri;
import dev.profilestore.cli.CliStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code profilestore demo-server}: one game server of {@code demo --processes}, in its own JVM. Hidden: only the
 * demo starts it, with the CLI's own class path, so it runs from the shaded jar as from the build.
 *
 * <p>The protocol is lines. Standard input carries the parent's commands: {@code JOIN key attempt} (a player
 * connects), {@code LEAVE key} (the player hops away), {@code STOP} (shut down: last saves, then exit). Standard
 * output carries {@link ServerEvent} lines. When standard input ends without {@code STOP} the parent is gone, and
 * the server exits as well (after trying its last saves for a few seconds), so no server outlives its demo.
 */
@Command(name = "demo-server", hidden = true, description = "One game server of 'demo --processes' (started by the demo).")
public final class DemoServerCommand implements Callable<Integer> {

    /** The environment variable the store URI comes in: a URI with a password would show in the process list. */
    static final String STORE_VARIABLE = "PROFILESTORE_DEMO_STORE";

    @Option(names = "--store", defaultValue = "${env:" + STORE_VARIABLE + "}", description = "Store URI.")
    String store;

    @Option(names = "--store-name", required = true)
    String storeName;

    @Option(names = "--server-id", required = true)
    String serverId;

    @Option(names = "--number", required = true, description = "Unique in the run; makes change ids unique.")
    int number;

    @Option(names = "--seed", required = true)
    long seed;

    @Option(names = "--lease", required = true, converter = Durations.class)
    Duration lease;

    @Option(names = "--auto-save", required = true, converter = Durations.class)
    Duration autoSave;

    @Option(names = "--tick", defaultValue = "100ms", converter = Durations.class)
    Duration tick;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (store == null || store.isBlank()) {
            throw new IllegalArgumentException("demo-server: no store (--store or " + STORE_VARIABLE + ")");
        }
        Output out = new Output(spec.commandLine().getOut());
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "demo-server-tick");
            t.setDaemon(true);
            return t;
        });
        try (StoreConnection opened = CliStore.open(store, CliStore.OpenMode.CREATE, Duration.ofSeconds(5))) {
            GameServer server = new GameServer(serverId, number, seed, storeName, opened.storage(), opened.messaging(),
                    lease, autoSave, e -> out.line(e.toLine()));
            timer.scheduleAtFixedRate(() -> server.loop().execute(server::tick), tick.toMillis(), tick.toMillis(),
                    TimeUnit.MILLISECONDS);
            timer.scheduleAtFixedRate(() -> out.line(new ServerEvent.Writes(server.writes()).toLine()), 1, 1,
                    TimeUnit.SECONDS);
            out.line(new ServerEvent.Ready(serverId).toLine());
            if (!serve(server)) {
                exitSoon();
            }
            timer.shutdownNow();
            server.stop();
            out.line(new ServerEvent.Stopped().toLine());
        } finally {
            timer.shutdownNow();
        }
        return 0;
    }

    /** Runs the parent's commands; returns whether it said STOP (false: its end of the pipe closed). */
    private static boolean serve(GameServer server) throws java.io.IOException {
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] parts = line.strip().split(" ");
            switch (parts[0]) {
                case "JOIN" -> server.join(parts[1], Integer.parseInt(parts[2]));
                case "LEAVE" -> server.leave(parts[1]);
                case "STOP" -> {
                    return true;
                }
                default -> throw new IllegalArgumentException("demo-server: unknown command '" + line + "'");
            }
        }
        return false;
    }

    /**
     * The parent is gone: the caller tries the last saves, but the process leaves within a few seconds whatever
     * happens, since nobody waits for this server any more.
     */
    private static void exitSoon() {
        CompletableFuture.delayedExecutor(5, TimeUnit.SECONDS).execute(() -> Runtime.getRuntime().halt(1));
    }
}
