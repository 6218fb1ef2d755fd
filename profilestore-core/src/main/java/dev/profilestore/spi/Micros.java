package dev.profilestore.spi;

import java.time.Instant;

/**
 * Times in microseconds since the epoch, the resolution every backend keeps: one rounding for all of them, so a
 * version query over a time range selects the same versions on each.
 */
public final class Micros {

    private Micros() {}

    /** {@code t} in microseconds, rounded down (a range's end: nothing after {@code t} is included). */
    public static long floor(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }

    /** {@code t} in microseconds, rounded up (a range's start: nothing before {@code t} is included). */
    public static long ceil(Instant t) {
        return floor(t) + (t.getNano() % 1_000 == 0 ? 0 : 1);
    }

    /** The instant {@code micros} microseconds after the epoch. */
    public static Instant toInstant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
}
