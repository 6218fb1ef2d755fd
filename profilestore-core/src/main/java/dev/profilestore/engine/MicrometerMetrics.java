package dev.profilestore.engine;

import dev.profilestore.SessionStart;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Metrics on Micrometer, tagged with the store name. Meter names start with {@code profilestore.}. */
final class MicrometerMetrics implements Metrics {

    private final MeterRegistry registry;
    private final String store;
    private final Timer handoff;
    private final Timer saves;
    private final Counter saveFailures;
    private final Counter savesSkipped;
    private final Counter takeovers;
    private final Counter steals;
    private final Counter lost;

    MicrometerMetrics(Object meterRegistry, String store, Supplier<Number> active, Supplier<Number> critical) {
        this.registry = (MeterRegistry) meterRegistry;
        this.store = store;
        Gauge.builder("profilestore.sessions.active", active).tag("store", store).register(registry);
        Gauge.builder("profilestore.critical", critical).tag("store", store)
                .description("1 while the store is in critical state").register(registry);
        handoff = Timer.builder("profilestore.handoff").tag("store", store).publishPercentileHistogram().register(registry);
        saves = Timer.builder("profilestore.saves").tag("store", store).register(registry);
        saveFailures = Counter.builder("profilestore.saves.failed").tag("store", store).register(registry);
        savesSkipped = Counter.builder("profilestore.saves.skipped").tag("store", store)
                .description("auto-saves of unchanged profiles that only read").register(registry);
        takeovers = Counter.builder("profilestore.takeovers").tag("store", store).tag("kind", "lease-expired").register(registry);
        steals = Counter.builder("profilestore.takeovers").tag("store", store).tag("kind", "steal").register(registry);
        lost = Counter.builder("profilestore.sessions.lost").tag("store", store).register(registry);
    }

    @Override
    public void startFinished(SessionStart.Reason reason, long nanos) {
        Timer.builder("profilestore.starts").tag("store", store)
                .tag("outcome", reason == null ? "started" : reason.name().toLowerCase(java.util.Locale.ROOT))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void handoff(long nanos) {
        handoff.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void takeover(boolean stolen) {
        (stolen ? steals : takeovers).increment();
    }

    @Override
    public void saved(long nanos) {
        saves.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void saveFailed() {
        saveFailures.increment();
    }

    @Override
    public void saveSkipped() {
        savesSkipped.increment();
    }

    @Override
    public void sessionLost() {
        lost.increment();
    }
}
