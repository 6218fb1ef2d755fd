package dev.profilestore.bench;

import dev.profilestore.memory.InMemoryStorage;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The counting decorator must not change what the engine sees, or the benchmarks measure something else. */
class CountingStorageTest {

    @Test
    void leaseRemaining_isTheDelegatesAndCountsAsALeaseRead() {
        var memory = new InMemoryStorage();
        var counting = new CountingStorage(memory);
        counting.renewLease("server-1", Duration.ofSeconds(10));

        Duration left = counting.leaseRemaining("server-1");

        assertThat(left).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(10));
        assertThat(counting.leaseReads()).isEqualTo(1);
        assertThat(counting.leaseWrites()).isEqualTo(1);
    }
}
