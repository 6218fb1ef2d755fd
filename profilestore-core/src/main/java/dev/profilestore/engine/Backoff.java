package dev.profilestore.engine;

import java.time.Duration;

/** Doubling retry delays with a cap; the original's 1, 2, 4, ... 20 s. Not thread-safe. */
final class Backoff {

    private final Duration max;
    private Duration next;

    Backoff(Duration initial, Duration max) {
        this.next = initial;
        this.max = max;
    }

    Duration next() {
        Duration current = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(max) > 0 ? max : doubled;
        return current.compareTo(max) > 0 ? max : current;
    }
}
