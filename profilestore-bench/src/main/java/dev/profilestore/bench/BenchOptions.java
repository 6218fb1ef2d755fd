package dev.profilestore.bench;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link Bench#run} measures and how long it takes.
 *
 * @param full the full run (minutes; the documented numbers) instead of the short one (at most about 3 minutes)
 * @param backends the backends to measure; the in-memory scenarios (3 to 5) always run
 * @param baselines whether to run scenario 6 (needs Redis)
 * @param jmh whether to run the JMH micro benchmarks
 * @param chartDir where to write the PNG charts; null for none
 * @param tiny smoke-test sizes (seconds in total; for tests of the harness, not for numbers)
 * @param peer whether to measure the handoff of every selected database backend again with peer messaging
 *     ({@code profilestore-peer}) over the backend's own messaging, in the same run
 */
public record BenchOptions(boolean full, Set<BackendKind> backends, boolean baselines, boolean jmh, Path chartDir,
                           boolean tiny, boolean peer) {

    /** Validates and copies the fields. */
    public BenchOptions {
        Objects.requireNonNull(backends, "backends");
        backends = backends.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(backends));
    }

    /** The short run over every backend, with baselines and JMH, no charts. */
    public static BenchOptions shortRun() {
        return new BenchOptions(false, EnumSet.allOf(BackendKind.class), true, true, null, false, false);
    }

    /** The full run over every backend, with baselines and JMH, no charts. */
    public static BenchOptions fullRun() {
        return new BenchOptions(true, EnumSet.allOf(BackendKind.class), true, true, null, false, false);
    }

    /** Tiny sizes on the in-memory store only, without servers or JMH: a smoke test of the harness. */
    public static BenchOptions smoke() {
        return new BenchOptions(false, EnumSet.of(BackendKind.MEMORY), false, false, null, true, false);
    }

    /** These options measuring only {@code kinds}. */
    public BenchOptions withBackends(Set<BackendKind> kinds) {
        return new BenchOptions(full, kinds, baselines, jmh, chartDir, tiny, peer);
    }

    /** These options with or without the baselines. */
    public BenchOptions withBaselines(boolean on) {
        return new BenchOptions(full, backends, on, jmh, chartDir, tiny, peer);
    }

    /** These options with or without JMH. */
    public BenchOptions withJmh(boolean on) {
        return new BenchOptions(full, backends, baselines, on, chartDir, tiny, peer);
    }

    /** These options writing charts to {@code dir}. */
    public BenchOptions withChartDir(Path dir) {
        return new BenchOptions(full, backends, baselines, jmh, dir, tiny, peer);
    }

    /** These options with or without the peer-messaging handoffs. */
    public BenchOptions withPeer(boolean on) {
        return new BenchOptions(full, backends, baselines, jmh, chartDir, tiny, on);
    }

    /** "full", "short" or "tiny". */
    public String mode() {
        return tiny ? "tiny" : full ? "full" : "short";
    }
}
