package dev.profilestore.testkit.sim;

import dev.profilestore.spi.Messaging;
import dev.profilestore.time.ManualScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The control-message hub of a run: every delivery goes through the simulated clock after a random
 * latency, and may be lost, delayed, duplicated or made to overtake the message sent before it. A
 * server's {@link View} stops sending and receiving when the server dies.
 *
 * <p>Half the runs present the hub as a polled transport with small messages ({@link Messaging#deliveryDelay()} of
 * 6 ms, about the latency's upper end, so that a waiting requester reads the record every 2 ms; and a
 * {@link Messaging#maxPayload()} of 200 bytes, so HANDED notices come without the record and the requester reads
 * it), so that those paths run in the simulation too; the other half carry any notice at once.
 */
final class SimMessaging {

    private final ManualScheduler clock;
    private final Random random;
    private final Faults faults;
    private final FaultCounter counter;
    private final Map<String, List<Sub>> channels = new HashMap<>();
    /** Per channel, when the last message sent on it is due: a reorder schedules before it. */
    private final Map<String, Long> lastDue = new HashMap<>();
    private final Duration deliveryDelay;
    private final int maxPayload;

    SimMessaging(ManualScheduler clock, Random random, Faults faults, FaultCounter counter, boolean polled) {
        this.deliveryDelay = polled ? Duration.ofMillis(6) : Duration.ZERO;
        this.maxPayload = polled ? 200 : Integer.MAX_VALUE;
        this.clock = clock;
        this.random = random;
        this.faults = faults;
        this.counter = counter;
    }

    private record Sub(Consumer<byte[]> listener, SimServerState owner) {}

    View view(SimServerState owner) {
        return new View(owner);
    }

    private void publish(SimServerState from, String channel, byte[] payload) {
        if (!from.alive()) {
            return;
        }
        for (Sub sub : List.copyOf(channels.getOrDefault(channel, List.of()))) {
            // Roll every fault every time, so a disabled kind leaves the other draws where they were.
            boolean lose = random.nextDouble() < faults.p(FaultKind.MESSAGE_LOSS);
            boolean delay = random.nextDouble() < faults.p(FaultKind.MESSAGE_DELAY);
            boolean dup = random.nextDouble() < faults.p(FaultKind.MESSAGE_DUPLICATE);
            boolean reorder = random.nextDouble() < faults.p(FaultKind.MESSAGE_REORDER);
            long latency = 200_000L + random.nextInt(5_000_000); // 0.2 to 5.2 ms
            long delayed = 500_000_000L + (long) (random.nextDouble() * 4_500_000_000L); // 0.5 to 5 s
            long dupExtra = random.nextInt(50_000_000);
            if (lose) {
                counter.add(FaultKind.MESSAGE_LOSS);
                continue;
            }
            long now = clock.nanoTime();
            long due = now + (delay ? delayed : latency);
            if (delay) {
                counter.add(FaultKind.MESSAGE_DELAY);
            }
            Long previous = lastDue.get(channel);
            if (reorder && previous != null && previous > now) {
                due = Math.max(now, previous - 1 - (previous - now) / 2);
                counter.add(FaultKind.MESSAGE_REORDER);
            }
            lastDue.merge(channel, due, Math::max);
            deliverAt(sub, payload, due - now);
            if (dup) {
                counter.add(FaultKind.MESSAGE_DUPLICATE);
                deliverAt(sub, payload, due - now + dupExtra);
            }
        }
    }

    private void deliverAt(Sub sub, byte[] payload, long delayNanos) {
        byte[] copy = payload.clone();
        clock.schedule(Duration.ofNanos(delayNanos), () -> {
            if (sub.owner.alive()) {
                sub.listener.accept(copy);
            }
        });
    }

    /** One server's connection to the hub. */
    final class View implements Messaging {
        private final SimServerState owner;

        private View(SimServerState owner) {
            this.owner = owner;
        }

        @Override
        public void publish(String channel, byte[] payload) {
            SimMessaging.this.publish(owner, channel, payload);
        }

        @Override
        public Subscription subscribe(String channel, Consumer<byte[]> listener) {
            Sub sub = new Sub(listener, owner);
            channels.computeIfAbsent(channel, c -> new ArrayList<>()).add(sub);
            return () -> channels.getOrDefault(channel, new ArrayList<>()).remove(sub);
        }

        @Override
        public Duration deliveryDelay() {
            return deliveryDelay;
        }

        @Override
        public int maxPayload() {
            return maxPayload;
        }

        @Override
        public void close() {
            // The hub outlives each server.
        }
    }
}
