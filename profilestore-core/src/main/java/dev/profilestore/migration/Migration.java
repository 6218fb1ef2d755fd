package dev.profilestore.migration;

import dev.profilestore.Names;
import dev.profilestore.spi.Storage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the profiles of some stores from one backend to another, with everything stored about them: the current
 * record byte for byte (data, metadata, user ids, pending messages, bookkeeping), every saved version with its save
 * time, its place in the order and its pin, and the user-id index of both.
 *
 * <pre>{@code
 * MigrationReport report = Migration.between(sqlite, postgres).stores(List.of("PlayerStore")).run();
 * VerifyReport check = Migration.between(sqlite, postgres).stores(List.of("PlayerStore")).verify();
 * }</pre>
 *
 * <h2>Live servers</h2>
 * A profile whose record holds a session lock of a server whose lease is still running is not copied: the copy would
 * miss what that server saves next. It is reported as held, or waited for with {@link #waitForHolders}. A lock of a
 * crashed server (lease run out) is copied as it is; the target's first session start takes it over, as it would
 * have on the source. Stop the game servers first (see docs/migration.md) so nothing changes under the copy.
 *
 * <h2>Running again</h2>
 * A run never changes a profile the target has already: a record equal to the source's counts as copied before, a
 * different one is reported and left alone. Versions are copied before the record, so an interrupted profile has
 * some of its versions on the target and no record; the next run checks they match the source's first ones and
 * copies the rest. Nothing is duplicated, whatever point a run stopped at.
 *
 * <h2>Revisions</h2>
 * The target allocates its own revisions and version ids ({@link Storage#writeVersion}): strictly increasing per key
 * there, in the source's order. Session epochs on the target therefore continue from the target's revisions, not the
 * source's.
 *
 * <p>Not thread-safe; one run at a time. The storages are not closed.
 */
public final class Migration {

    private static final Logger LOG = LoggerFactory.getLogger(Migration.class);
    private static final int PAGE = 500;

    private final Storage from;
    private final Storage to;
    private List<String> stores = List.of("PlayerStore");
    private Duration waitForHolders = Duration.ZERO;
    private int parallelism = 4;
    private long limit = Long.MAX_VALUE;
    private int maxFailures = 100;
    private Consumer<MigrationProgress> progress = p -> { };
    private Duration progressEvery = Duration.ofMillis(500);

    private Migration(Storage from, Storage to) {
        this.from = Objects.requireNonNull(from, "from");
        this.to = Objects.requireNonNull(to, "to");
    }

    /**
     * A migration from {@code from} to {@code to}, of the store "PlayerStore" until {@link #stores} says otherwise.
     *
     * @param from the storage profiles are read from; never written
     * @param to the storage they are copied to; it must support {@link Storage#writeVersion}
     * @return the migration, to configure and run
     */
    public static Migration between(Storage from, Storage to) {
        return new Migration(from, to);
    }

    /**
     * The store names to copy.
     *
     * @param names one or more valid store names
     * @return this
     */
    public Migration stores(List<String> names) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("at least one store name is needed");
        }
        names.forEach(Names::storeName);
        this.stores = List.copyOf(new java.util.LinkedHashSet<>(names));
        return this;
    }

    /**
     * How long to wait, after everything else is copied, for held profiles to be released; zero (the default)
     * reports them as held at once.
     *
     * @param wait not negative
     * @return this
     */
    public Migration waitForHolders(Duration wait) {
        if (wait.isNegative()) {
            throw new IllegalArgumentException("wait must not be negative, was " + wait);
        }
        this.waitForHolders = wait;
        return this;
    }

    /**
     * How many profiles are copied at once (default 4). Each takes a connection of either side at a time.
     *
     * @param threads 1 to 64
     * @return this
     */
    public Migration parallelism(int threads) {
        if (threads < 1 || threads > 64) {
            throw new IllegalArgumentException("parallelism must be between 1 and 64, was " + threads);
        }
        this.parallelism = threads;
        return this;
    }

    /**
     * Copies at most this many profiles in this run; the rest are left for the next run (migrating in batches).
     *
     * @param profiles positive
     * @return this
     */
    public Migration limit(long profiles) {
        if (profiles <= 0) {
            throw new IllegalArgumentException("limit must be positive, was " + profiles);
        }
        this.limit = profiles;
        return this;
    }

    /**
     * After this many profiles failed, the run stops (the target is likely unreachable); default 100.
     *
     * @param failures positive
     * @return this
     */
    public Migration maxFailures(int failures) {
        if (failures <= 0) {
            throw new IllegalArgumentException("maxFailures must be positive, was " + failures);
        }
        this.maxFailures = failures;
        return this;
    }

    /**
     * Where progress goes: called from the thread that runs the migration, about every {@code every}, and once at the
     * end.
     *
     * @param listener the receiver
     * @param every how often
     * @return this
     */
    public Migration onProgress(Consumer<MigrationProgress> listener, Duration every) {
        this.progress = Objects.requireNonNull(listener, "listener");
        this.progressEvery = Objects.requireNonNull(every, "every");
        return this;
    }

    /**
     * Copies every profile of the stores not on the target yet.
     *
     * @return what was done; {@link MigrationReport#complete()} tells whether a further run is needed
     * @throws dev.profilestore.StorageException when the source cannot be listed
     */
    public MigrationReport run() {
        long start = System.nanoTime();
        Tally tally = new Tally(count(from));
        ProfileCopier copier = new ProfileCopier(from, to);
        AtomicLong permits = new AtomicLong(limit);
        AtomicBoolean deferred = new AtomicBoolean();
        Queue<ProfileProblem> held = new ConcurrentLinkedQueue<>();
        Queue<ProfileProblem> failed = new ConcurrentLinkedQueue<>();
        AtomicBoolean stopped = new AtomicBoolean();
        AtomicLong versions = new AtomicLong();
        Reporter reporter = new Reporter(tally, start);
        forEachKey(from, stopped, reporter, (store, key) -> {
            ProfileCopier.Outcome o;
            try {
                o = copier.copy(store, key, () -> permits.getAndDecrement() > 0);
            } catch (RuntimeException e) {
                o = new ProfileCopier.Outcome.Failed(e.getMessage() == null ? e.toString() : e.getMessage());
                LOG.debug("copy of {}/{} failed", store, key, e);
            }
            switch (o) {
                case ProfileCopier.Outcome.Copied c -> {
                    tally.copied.incrementAndGet();
                    versions.addAndGet(c.versions());
                }
                case ProfileCopier.Outcome.AlreadyThere a -> tally.alreadyThere.incrementAndGet();
                case ProfileCopier.Outcome.Held h -> {
                    tally.held.incrementAndGet();
                    held.add(new ProfileProblem(store, key, heldBy(h)));
                }
                case ProfileCopier.Outcome.Failed f -> {
                    failed.add(new ProfileProblem(store, key, f.problem()));
                    if (tally.failed.incrementAndGet() >= maxFailures && stopped.compareAndSet(false, true)) {
                        LOG.warn("migration stopped after {} failed profiles; the last: {}", maxFailures, f.problem());
                    }
                }
                case ProfileCopier.Outcome.Deferred d -> deferred.set(true);
            }
            tally.done.incrementAndGet();
        });
        List<ProfileProblem> stillHeld = waitForHeld(copier, new ArrayList<>(held), tally, versions, failed, permits,
                reporter);
        reporter.report(true);
        boolean complete = !stopped.get() && !deferred.get() && stillHeld.isEmpty() && failed.isEmpty();
        return new MigrationReport(tally.copied.get(), tally.alreadyThere.get(), versions.get(), stillHeld,
                new ArrayList<>(failed), complete, Duration.ofNanos(System.nanoTime() - start));
    }

    private static String heldBy(ProfileCopier.Outcome.Held h) {
        return "held by live server " + h.holder().serverId() + " (session " + h.holder().sessionId() + ", epoch "
                + h.holder().epoch() + ")";
    }

    /** Polls the held profiles until each is copied or the wait is over; returns those still held. */
    private List<ProfileProblem> waitForHeld(ProfileCopier copier, List<ProfileProblem> held, Tally tally,
            AtomicLong versions, Queue<ProfileProblem> failed, AtomicLong permits, Reporter reporter) {
        if (waitForHolders.isZero() || held.isEmpty()) {
            return held;
        }
        long deadline = System.nanoTime() + waitForHolders.toNanos();
        List<ProfileProblem> waiting = new ArrayList<>(held);
        while (!waiting.isEmpty()) {
            List<ProfileProblem> next = new ArrayList<>();
            for (ProfileProblem p : waiting) {
                ProfileCopier.Outcome o;
                try {
                    o = copier.copy(p.store(), p.key(), () -> permits.getAndDecrement() > 0);
                } catch (RuntimeException e) {
                    o = new ProfileCopier.Outcome.Failed(String.valueOf(e.getMessage()));
                }
                switch (o) {
                    case ProfileCopier.Outcome.Held h -> next.add(new ProfileProblem(p.store(), p.key(), heldBy(h)));
                    case ProfileCopier.Outcome.Copied c -> {
                        tally.held.decrementAndGet();
                        tally.copied.incrementAndGet();
                        versions.addAndGet(c.versions());
                    }
                    case ProfileCopier.Outcome.AlreadyThere a -> {
                        tally.held.decrementAndGet();
                        tally.alreadyThere.incrementAndGet();
                    }
                    case ProfileCopier.Outcome.Failed f -> {
                        tally.held.decrementAndGet();
                        tally.failed.incrementAndGet();
                        failed.add(new ProfileProblem(p.store(), p.key(), f.problem()));
                    }
                    case ProfileCopier.Outcome.Deferred d -> next.add(p);
                }
            }
            waiting = next;
            reporter.report(false);
            long left = deadline - System.nanoTime();
            if (waiting.isEmpty() || left <= 0) {
                break;
            }
            try {
                // A poll, as a waiting session start polls a held record; the holder's release is not announced.
                TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return waiting;
    }

    /**
     * Reads every profile of the stores on both sides and compares them, and lists profiles only on the target.
     *
     * @return the differences, none when the target holds exactly what the source does
     */
    public VerifyReport verify() {
        long start = System.nanoTime();
        Tally tally = new Tally(count(from));
        ProfileComparer comparer = new ProfileComparer(from, to);
        Queue<ProfileProblem> differences = new ConcurrentLinkedQueue<>();
        Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Reporter reporter = new Reporter(tally, start);
        AtomicBoolean never = new AtomicBoolean();
        KeyTask compare = (store, key) -> {
            List<String> found;
            try {
                found = comparer.compare(store, key);
            } catch (RuntimeException e) {
                found = List.of("could not be read: " + e.getMessage());
            }
            found.forEach(d -> differences.add(new ProfileProblem(store, key, d)));
            (found.isEmpty() ? tally.alreadyThere : tally.failed).incrementAndGet();
            tally.done.incrementAndGet();
        };
        forEachKey(from, never, reporter, (store, key) -> {
            seen.add(store + "\u0000" + key);
            compare.accept(store, key);
        });
        forEachKey(to, never, reporter, (store, key) -> {
            if (!seen.contains(store + "\u0000" + key)) {
                compare.accept(store, key);
            }
        });
        reporter.report(true);
        return new VerifyReport(tally.done.get(), new ArrayList<>(differences),
                Duration.ofNanos(System.nanoTime() - start));
    }

    @FunctionalInterface
    private interface KeyTask {
        void accept(String store, String key);
    }

    /** Runs {@code work} for every key of the stores on {@code side}, {@link #parallelism} at a time. */
    private void forEachKey(Storage side, AtomicBoolean stop, Reporter reporter, KeyTask work) {
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, Thread.ofPlatform().daemon()
                .name("profilestore-migration-", 0).factory());
        Semaphore inFlight = new Semaphore(parallelism * 4);
        try {
            outer:
            for (String store : stores) {
                String after = null;
                while (true) {
                    List<String> page = side.listKeys(store, after, PAGE);
                    for (String key : page) {
                        if (stop.get()) {
                            break outer;
                        }
                        inFlight.acquire();
                        pool.execute(() -> {
                            try {
                                if (!stop.get()) { // a key queued before the run stopped is left for the next run
                                    work.accept(store, key);
                                }
                            } finally {
                                inFlight.release();
                            }
                        });
                        reporter.report(false);
                    }
                    if (page.size() < PAGE) {
                        break;
                    }
                    after = page.getLast();
                }
            }
            pool.shutdown();
            while (!pool.awaitTermination(progressEvery.toMillis() + 1, TimeUnit.MILLISECONDS)) {
                reporter.report(false);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop.set(true);
        } finally {
            pool.shutdownNow();
        }
    }

    /** How many profiles the stores hold on {@code side}. */
    private long count(Storage side) {
        long n = 0;
        for (String store : stores) {
            String after = null;
            while (true) {
                List<String> page = side.listKeys(store, after, PAGE);
                n += page.size();
                if (page.size() < PAGE) {
                    break;
                }
                after = page.getLast();
            }
        }
        return n;
    }

    /** The counters progress is reported from. */
    private static final class Tally {
        final long total;
        final AtomicLong done = new AtomicLong();
        final AtomicLong copied = new AtomicLong();
        final AtomicLong alreadyThere = new AtomicLong();
        final AtomicLong held = new AtomicLong();
        final AtomicLong failed = new AtomicLong();

        Tally(long total) {
            this.total = total;
        }
    }

    /** Calls the progress listener at most every {@link #progressEvery}, and at the end. */
    private final class Reporter {
        private final Tally tally;
        private final long start;
        private long last;

        Reporter(Tally tally, long start) {
            this.tally = tally;
            this.start = start;
            this.last = start;
        }

        void report(boolean last) {
            long now = System.nanoTime();
            if (!last && now - this.last < progressEvery.toNanos()) {
                return;
            }
            this.last = now;
            double seconds = Math.max(1e-9, (now - start) / 1e9);
            long done = tally.done.get();
            progress.accept(new MigrationProgress(done, Math.max(tally.total, done), tally.copied.get(),
                    tally.alreadyThere.get(), tally.held.get(), tally.failed.get(), done / seconds));
        }
    }
}
