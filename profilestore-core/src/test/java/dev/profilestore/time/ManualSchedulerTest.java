package dev.profilestore.time;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ManualSchedulerTest {

    @Test
    void advance_runsDueTimersInOrder_atTheirDueTime() {
        var clock = new ManualScheduler();
        List<String> ran = new ArrayList<>();
        clock.schedule(Duration.ofSeconds(2), () -> ran.add("b@" + clock.elapsed().toSeconds()));
        clock.schedule(Duration.ofSeconds(1), () -> ran.add("a@" + clock.elapsed().toSeconds()));
        var cancelled = clock.schedule(Duration.ofSeconds(1), () -> ran.add("never"));
        cancelled.cancel();
        clock.advance(Duration.ofMillis(1500));
        assertThat(ran).containsExactly("a@1");
        clock.advance(Duration.ofSeconds(5));
        assertThat(ran).containsExactly("a@1", "b@2");
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(6500));
    }

    @Test
    void timersScheduledByTimers_runInTheSameAdvanceWhenDue() {
        var clock = new ManualScheduler();
        List<Long> ticks = new ArrayList<>();
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> {
            ticks.add(clock.elapsed().toSeconds());
            clock.schedule(Duration.ofSeconds(10), tick[0]);
        };
        clock.schedule(Duration.ofSeconds(10), tick[0]);
        clock.advance(Duration.ofSeconds(35));
        assertThat(ticks).containsExactly(10L, 20L, 30L);
        assertThat(clock.nextDue()).isEqualTo(Duration.ofSeconds(5));
    }
}
