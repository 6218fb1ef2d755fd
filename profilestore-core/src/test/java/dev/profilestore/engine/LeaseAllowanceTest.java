package dev.profilestore.engine;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The store-side lease leaves room inside the configured lease for the takeover's own round trips. */
class LeaseAllowanceTest {

    private static Settings.Timings withLease(Duration lease) {
        Duration s = Duration.ofSeconds(1);
        return new Settings.Timings(s, lease, lease.dividedBy(3), s, s, s, s, s, s, s, s, 1, s, s, 1, s, s);
    }

    @Test
    void theDefaultLease_endsHalfASecondEarlierInTheStore() {
        assertThat(withLease(Duration.ofSeconds(15)).leaseInStore()).isEqualTo(Duration.ofMillis(14_500));
    }

    @Test
    void aShortLease_setsAsideAThirtiethOfItself() {
        assertThat(withLease(Duration.ofSeconds(3)).leaseInStore()).isEqualTo(Duration.ofMillis(2_900));
    }

    @Test
    void aLongLease_setsAsideNoMoreThanHalfASecond() {
        assertThat(withLease(Duration.ofMinutes(5)).leaseInStore()).isEqualTo(Duration.ofMillis(299_500));
    }
}
