package dev.profilestore.console;

import dev.profilestore.spi.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples the store's own data at a fixed period for the metrics page: held sessions, session starts (the sum of
 * the profiles' session counts), pending handoffs and messages, how long a pass over the store took, and whether the
 * store answered; and, when their pages are given, the game servers' own meters ({@link ServerMeters}). It keeps the
 * last {@value #KEEP} samples of each in memory. Thread-safe.
 */
final class MetricsSampler implements AutoCloseable {

    /** Samples kept. */
    static final int KEEP = 360;

    private static final Logger LOG = LoggerFactory.getLogger(MetricsSampler.class);

    /**
     * One sample.
     *
     * @param at when it was taken
     * @param held held sessions
     * @param sessionsStarted the sum of the profiles' session counts
     * @param takeovers held profiles another server is waiting for
     * @param messages pending messages
     * @param scanMillis how long the pass over the store took
     * @param storeErrors store calls that failed since the console started
     */
    record Sample(Instant at, int held, long sessionsStarted, int takeovers, int messages, long scanMillis,
                  long storeErrors) {}

    private final Storage storage;
    private final String storeName;
    private final Clock clock;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private final ServerMeters meters;
    private final Deque<ServerMeters.Reading> readings = new ArrayDeque<>();
    private final ScheduledExecutorService timer;
    private long errors;
    private String lastError;

    MetricsSampler(Storage storage, String storeName, Duration period, ServerMeters meters) {
        this.storage = storage;
        this.storeName = storeName;
        this.meters = meters;
        this.clock = Clock.systemUTC();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "profilestore-console-metrics");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::sample, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sample() {
        if (meters.configured()) {
            // Before the store pass, and whatever it meets: the servers' meters matter most when the store is down.
            add(meters.read(clock.instant()));
        }
        long t0 = System.nanoTime();
        try {
            StoreScan s = StoreScan.of(storage, storeName);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            add(new Sample(clock.instant(), s.sessions().size(), s.sessionsStarted(), s.pendingTakeovers(),
                    s.pendingMessages(), ms, errorCount()), null);
        } catch (RuntimeException e) {
            // A store that went away: counted and shown, and the next sample tries again.
            LOG.warn("metrics sample of store '{}' failed: {}", storeName, e.toString());
            storeError(e);
        }
    }

    private synchronized void add(Sample s, String error) {
        samples.addLast(s);
        if (samples.size() > KEEP) {
            samples.removeFirst();
        }
        lastError = error;
    }

    private synchronized void add(ServerMeters.Reading r) {
        readings.addLast(r);
        if (readings.size() > KEEP) {
            readings.removeFirst();
        }
    }

    /** Counts a failed store call of any page. */
    synchronized void storeError(RuntimeException e) {
        errors++;
        lastError = OperatorActions.firstLine(e.getMessage());
    }

    synchronized long errorCount() {
        return errors;
    }

    /** The last sample's failure, or null when the store answered. */
    synchronized String lastError() {
        return lastError;
    }

    synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** The game servers' meters read so far, oldest first; empty when none are configured. */
    synchronized List<ServerMeters.Reading> serverReadings() {
        return List.copyOf(readings);
    }

    /** Whether the game servers' meters are read. */
    boolean readsServerMeters() {
        return meters.configured();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
