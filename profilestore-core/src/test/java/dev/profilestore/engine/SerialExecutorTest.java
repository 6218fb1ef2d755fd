package dev.profilestore.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class SerialExecutorTest {

    @Test
    void onAMultiThreadedPool_tasksRunOneAtATimeInSubmissionOrder() throws InterruptedException {
        var pool = Executors.newFixedThreadPool(4);
        try {
            var serial = new SerialExecutor(pool);
            List<Integer> order = Collections.synchronizedList(new ArrayList<>());
            var running = new AtomicInteger();
            var maxRunning = new AtomicInteger();
            var done = new CountDownLatch(1000);
            for (int i = 0; i < 1000; i++) {
                int n = i;
                serial.execute(() -> {
                    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    order.add(n);
                    assertThat(serial.inLoop()).isTrue();
                    running.decrementAndGet();
                    done.countDown();
                });
            }
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(maxRunning.get()).isEqualTo(1);
            for (int i = 0; i < 1000; i++) {
                assertThat(order.get(i)).isEqualTo(i);
            }
            assertThat(serial.inLoop()).isFalse();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aThrowingTask_doesNotStopTheOnesAfterIt() {
        var serial = new SerialExecutor(Runnable::run);
        List<String> ran = new ArrayList<>();
        serial.execute(() -> {
            throw new IllegalStateException("listener bug");
        });
        serial.execute(() -> ran.add("next"));
        assertThat(ran).containsExactly("next");
    }

    @Test
    void onAShutDownExecutor_aLateTaskRunsOnTheSubmittingThread_inOrder_neitherDroppedNorThrown() {
        var pool = Executors.newSingleThreadExecutor();
        var serial = new SerialExecutor(pool);
        pool.shutdown();
        List<Integer> order = new ArrayList<>();
        var inLoop = new AtomicInteger();

        for (int i = 0; i < 600; i++) { // more than one batch
            int n = i;
            serial.execute(() -> {
                order.add(n);
                if (serial.inLoop()) {
                    inLoop.incrementAndGet();
                }
            });
        }

        assertThat(order).hasSize(600).isSorted();
        assertThat(inLoop.get()).as("each ran as the loop, one at a time").isEqualTo(600);
        assertThat(serial.inLoop()).isFalse();
    }
}
