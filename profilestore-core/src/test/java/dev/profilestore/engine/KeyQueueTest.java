package dev.profilestore.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class KeyQueueTest {

    @Test
    void operationsOnOneKey_runOneAtATimeInCallOrder_andOtherKeysDoNotWait() {
        var queue = new KeyQueue(Runnable::run);
        List<String> started = new ArrayList<>();
        var gate = new CompletableFuture<Void>();
        queue.run("k", () -> {
            started.add("k1");
            return gate;
        });
        queue.run("k", () -> {
            started.add("k2");
            return CompletableFuture.completedFuture(null);
        });
        queue.run("other", () -> {
            started.add("other");
            return CompletableFuture.completedFuture(null);
        });
        assertThat(started).containsExactly("k1", "other");
        gate.complete(null);
        assertThat(started).containsExactly("k1", "other", "k2");
        assertThat(queue.busyKeys()).isZero();
    }

    @Test
    void aMultiKeyOperation_waitsForEveryKey_andAFailedOperationStillReleasesItsKeys() {
        var queue = new KeyQueue(Runnable::run);
        var gate = new CompletableFuture<Void>();
        queue.run("b", () -> gate);
        List<String> ran = new ArrayList<>();
        queue.runAll(List.of("b", "a"), () -> {
            ran.add("both");
            return CompletableFuture.failedFuture(new IllegalStateException("boom"));
        });
        assertThat(ran).isEmpty();
        gate.complete(null);
        assertThat(ran).containsExactly("both");
        queue.run("a", () -> {
            ran.add("a after");
            return CompletableFuture.completedFuture(null);
        });
        assertThat(ran).containsExactly("both", "a after");
        assertThat(queue.busyKeys()).isZero();
    }
}
