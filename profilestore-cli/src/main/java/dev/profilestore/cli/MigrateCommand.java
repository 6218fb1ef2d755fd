package dev.profilestore.cli;

import dev.profilestore.Names;
import dev.profilestore.StoreConnection;
import dev.profilestore.cli.demo.Progress;
import dev.profilestore.migration.Migration;
import dev.profilestore.migration.MigrationProgress;
import dev.profilestore.migration.MigrationReport;
import dev.profilestore.migration.ProfileProblem;
import dev.profilestore.migration.VerifyReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@code migrate --from URI --to URI}: copies stores between backends with {@link Migration}, and with
 * {@code --verify} compares both sides afterwards.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {"Copy every profile of the named stores from one backend to another: the current record as it is"
                + " (data, metadata, user ids, pending messages), every saved version with its save time, order and pin,"
                + " and the user-id index. Reads the source only; creates the target if missing.",
                "A profile a live server holds is not copied (reported as held) unless --wait lets it be released."
                + " Run it again after an interruption: it continues where it stopped and never duplicates anything."
                + " Exit 0 when every profile is on the target (and --verify found no difference), 4 when not: run"
                + " again, or read the listed problems."})
public final class MigrateCommand implements Callable<Integer> {

    /** Exit code of a migration that is not complete, or of a verification that found differences. */
    public static final int EXIT_INCOMPLETE = 4;

    @Option(names = "--from", required = true, paramLabel = "URI", description = "The store to copy from (read only).")
    String from;

    @Option(names = "--to", required = true, paramLabel = "URI", description = "The store to copy to.")
    String to;

    @Option(names = "--store-name", paramLabel = "NAME", defaultValue = "PlayerStore",
            description = "A ProfileStore name to copy; repeat for several (default: ${DEFAULT-VALUE}).")
    List<String> storeNames;

    @Option(names = "--wait", paramLabel = "DURATION", converter = Durations.class, defaultValue = "0s",
            description = "Wait up to this long for held profiles to be released, after copying the rest"
                    + " (default: ${DEFAULT-VALUE}: report them as held at once).")
    Duration wait;

    @Option(names = "--verify", description = "After copying, read both sides and report every difference.")
    boolean verify;

    @Option(names = "--verify-only", description = "Copy nothing: only compare both sides.")
    boolean verifyOnly;

    @Option(names = "--limit", paramLabel = "N", description = "Copy at most N profiles in this run (the next run"
            + " continues).")
    Long limit;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "4",
            description = "Profiles copied at once (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--json", description = "Print one JSON document (snake_case fields) instead of text.")
    boolean json;

    @Option(names = "--quiet", description = "No progress on standard error.")
    boolean quiet;

    @Option(names = "--lock-timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "How long to wait for another program's lock on a database (default: ${DEFAULT-VALUE} s).")
    double lockTimeoutSeconds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        for (String name : storeNames) {
            try {
                Names.storeName(name);
            } catch (IllegalArgumentException e) {
                throw new CliException("--store-name: " + e.getMessage());
            }
        }
        if (parallel < 1 || parallel > 64) {
            throw new CliException("--parallel must be between 1 and 64, was " + parallel);
        }
        if (limit != null && limit <= 0) {
            throw new CliException("--limit must be positive, was " + limit);
        }
        StoreOptions lock = new StoreOptions();
        lock.lockTimeoutSeconds = lockTimeoutSeconds;
        Duration lockTimeout = lock.lockTimeout();
        if (CliStore.parse(from).equals(CliStore.parse(to))) {
            throw new CliException("--from and --to name the same store");
        }
        PrintWriter err = spec.commandLine().getErr();
        Progress progress = new Progress(err, Progress.stderrIsTerminal(), quiet);
        try (StoreConnection source = CliStore.open(from, CliStore.OpenMode.EXISTING, lockTimeout);
             StoreConnection target = CliStore.open(to, verifyOnly ? CliStore.OpenMode.EXISTING
                     : CliStore.OpenMode.CREATE, lockTimeout)) {
            Migration migration = Migration.between(source.storage(), target.storage()).stores(storeNames)
                    .waitForHolders(wait).parallelism(parallel);
            if (limit != null) {
                migration.limit(limit);
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("from", source.description());
            result.put("to", target.description());
            result.put("store_names", storeNames);
            boolean ok = true;
            AtomicReference<MigrationProgress> latest = new AtomicReference<>();
            if (!verifyOnly) {
                migration.onProgress(shown(progress, latest, "copied"), Duration.ofMillis(250));
                MigrationReport r = migration.run();
                progress.last(line("copied", latest.get()));
                result.put("migration", r);
                result.put("profiles_per_second", Math.round(r.perSecond()));
                ok = r.complete();
                if (!json) {
                    printCopy(r, source.description(), target.description());
                }
            }
            if (verify || verifyOnly) {
                migration.onProgress(shown(progress, latest, "compared"), Duration.ofMillis(250));
                VerifyReport v = migration.verify();
                progress.last(line("compared", latest.get()));
                result.put("verification", v);
                ok &= v.identical();
                if (!json) {
                    printVerify(v);
                }
            }
            if (json) {
                Main.output(spec).json(result);
            }
            return ok ? 0 : EXIT_INCOMPLETE;
        }
    }

    /** Shows each progress report on standard error and keeps it, for the last line. */
    private static Consumer<MigrationProgress> shown(Progress progress, AtomicReference<MigrationProgress> latest,
            String verb) {
        return p -> {
            latest.set(p);
            progress.accept(line(verb, p));
        };
    }

    /** A status line: it starts with a digit, so {@link Progress} rewrites it in place on a terminal. */
    private static String line(String verb, MigrationProgress p) {
        int pct = p.total() == 0 ? 100 : (int) (100 * p.done() / p.total());
        String bar = "#".repeat(pct / 5) + ".".repeat(20 - pct / 5);
        return String.format(Locale.ROOT, "%d/%d profiles %s [%s] %d%%  %,.0f/s  new %d, there already %d, held %d,"
                + " failed %d", p.done(), p.total(), verb, bar, pct, p.perSecond(), p.copied(), p.alreadyThere(),
                p.held(), p.failed());
    }

    private void printCopy(MigrationReport r, String source, String target) {
        Output out = Main.output(spec);
        out.line(String.format(Locale.ROOT, "copied %d profile(s) with %d saved version(s) from %s to %s in %.1f s"
                        + " (%,.0f profiles/s); %d were there already", r.copied(), r.versionsCopied(), source, target,
                r.elapsed().toMillis() / 1000.0, r.perSecond(), r.alreadyThere()));
        for (ProfileProblem p : r.held()) {
            out.line("held: " + p);
        }
        for (ProfileProblem p : r.failed()) {
            out.line("failed: " + p);
        }
        if (!r.complete()) {
            out.line("not complete: " + (r.held().isEmpty() ? "" : r.held().size() + " held, ")
                    + (r.failed().isEmpty() ? "" : r.failed().size() + " failed, ")
                    + "run the same command again to continue");
        }
    }

    private void printVerify(VerifyReport v) {
        Output out = Main.output(spec);
        if (v.identical()) {
            out.line("verified " + v.compared() + " profile(s): both sides are identical");
            return;
        }
        for (ProfileProblem p : v.differences()) {
            out.line("differs: " + p);
        }
        out.line("verified " + v.compared() + " profile(s): " + v.differences().size() + " difference(s)");
    }
}
