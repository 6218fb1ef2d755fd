package dev.profilestore.testkit.sim;

import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * How likely each fault is. {@link FaultKind#CRASH}, {@link FaultKind#PAUSE}, {@link FaultKind#LEASE_STALL} and
 * {@link FaultKind#STORE_CLOCK_JUMP} are rolled once per step; {@link FaultKind#CLOCK_SKEW} once per new server; message faults once per delivered control
 * message; storage faults (and the crash-around-a-write kinds) once per store call.
 *
 * @param probabilities each kind's probability, 0 to 1; kinds not listed are 0
 */
public record FaultMix(Map<FaultKind, Double> probabilities) {

    /** Validates and copies the map. */
    public FaultMix {
        Objects.requireNonNull(probabilities, "probabilities");
        var copy = new EnumMap<FaultKind, Double>(FaultKind.class);
        probabilities.forEach((kind, p) -> {
            Objects.requireNonNull(kind, "kind");
            if (p == null || !(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("probability of " + kind + " must be within 0..1, was " + p);
            }
            if (p > 0) {
                copy.put(kind, p);
            }
        });
        probabilities = Map.copyOf(copy);
    }

    /** No faults at all. */
    public static FaultMix none() {
        return new FaultMix(Map.of());
    }

    /** Every kind of fault, at rates that make each show up many times in a few hundred steps. */
    public static FaultMix all() {
        var m = new EnumMap<FaultKind, Double>(FaultKind.class);
        m.put(FaultKind.CRASH, 0.006);
        m.put(FaultKind.CRASH_AFTER_WRITE, 0.002);
        m.put(FaultKind.CRASH_BEFORE_WRITE, 0.002);
        m.put(FaultKind.PAUSE, 0.008);
        m.put(FaultKind.MESSAGE_LOSS, 0.15);
        m.put(FaultKind.MESSAGE_DELAY, 0.1);
        m.put(FaultKind.MESSAGE_DUPLICATE, 0.1);
        m.put(FaultKind.MESSAGE_REORDER, 0.1);
        m.put(FaultKind.STORAGE_ERROR, 0.02);
        m.put(FaultKind.STORAGE_TIMEOUT, 0.005);
        m.put(FaultKind.LOST_REPLY, 0.01);
        m.put(FaultKind.CLOCK_SKEW, 0.5);
        m.put(FaultKind.LEASE_STALL, 0.004);
        m.put(FaultKind.STORE_CLOCK_JUMP, 0.004);
        return new FaultMix(m);
    }

    /** The probability of {@code kind}. */
    public double p(FaultKind kind) {
        return probabilities.getOrDefault(kind, 0.0);
    }

    /** Whether {@code kind} can happen. */
    public boolean has(FaultKind kind) {
        return p(kind) > 0;
    }

    /** This mix with {@code kind} at probability {@code p}. */
    public FaultMix with(FaultKind kind, double p) {
        var m = new EnumMap<FaultKind, Double>(FaultKind.class);
        m.putAll(probabilities);
        m.put(kind, p);
        return new FaultMix(m);
    }

    /** This mix without the given kinds. */
    public FaultMix without(Collection<FaultKind> kinds) {
        var m = new EnumMap<FaultKind, Double>(FaultKind.class);
        m.putAll(probabilities);
        kinds.forEach(m::remove);
        return new FaultMix(m);
    }

    /** This mix without {@code kind}. */
    public FaultMix without(FaultKind kind) {
        return without(java.util.List.of(kind));
    }

    @Override
    public String toString() {
        var sb = new StringBuilder("{");
        new java.util.TreeMap<>(probabilities).forEach((k, p) -> sb.append(sb.length() > 1 ? ", " : "").append(k).append('=').append(p));
        return sb.append('}').toString();
    }
}
