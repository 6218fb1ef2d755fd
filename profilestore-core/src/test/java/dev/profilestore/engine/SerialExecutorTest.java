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

    /** An executor that only collects what it is handed, so the test decides when (and whether) the loop's thread runs. */
    private static final class Held implements java.util.concurrent.Executor {
        final List<Runnable> handed = new ArrayList<>();

        @Override
        public void execute(Runnable r) {
            handed.add(r);
        }
    }

    @Test
    void aWaitingCaller_runsTheQueuedTasksItself_inOrder_untilItsResultIsDone_andLeavesTheRestToTheLoop() {
        var held = new Held();
        var serial = new SerialExecutor(held, true);
        var result = new java.util.concurrent.CompletableFuture<String>();
        List<String> ran = new ArrayList<>();
        Thread caller = Thread.currentThread();
        serial.execute(() -> ran.add("first on " + (Thread.currentThread() == caller ? "caller" : "other")
                + (serial.inLoop() ? " in loop" : "")));
        serial.execute(() -> result.complete("done"));
        serial.execute(() -> ran.add("third"));

        serial.runWhileWaiting(result);

        assertThat(result).isCompletedWithValue("done");
        assertThat(ran).containsExactly("first on caller in loop");
        assertThat(serial.inLoop()).isFalse();
        assertThat(held.handed).as("the drain handed to the loop's thread at the first task").hasSize(1);
        held.handed.get(0).run();
        assertThat(ran).containsExactly("first on caller in loop", "third");
    }

    @Test
    void aWaitingCaller_leavesTheTasksAlone_whileTheLoopsThreadRunsThem() throws Exception {
        var pool = Executors.newSingleThreadExecutor();
        try {
            var serial = new SerialExecutor(pool, true);
            var busy = new CountDownLatch(1);
            var release = new CountDownLatch(1);
            var result = new java.util.concurrent.CompletableFuture<Thread>();
            serial.execute(() -> {
                busy.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            serial.execute(() -> result.complete(Thread.currentThread()));
            assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();

            serial.runWhileWaiting(result);

            assertThat(result).as("returned at once, without running the queued task").isNotDone();
            release.countDown();
            assertThat(result.get(10, TimeUnit.SECONDS)).isNotEqualTo(Thread.currentThread());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void onAGamesExecutor_aWaitingCallerNeverRunsTheTasks() {
        var held = new Held();
        var serial = new SerialExecutor(held, false);
        var result = new java.util.concurrent.CompletableFuture<Void>();
        serial.execute(() -> result.complete(null));

        serial.runWhileWaiting(result);

        assertThat(result).isNotDone();
        held.handed.get(0).run();
        assertThat(result).isDone();
    }

    @Test
    void aTaskQueuedForItsWaitingCaller_isRunByThatCaller_withoutWakingTheLoopsThread_andWhatItLeavesGoesToTheLoop() {
        var held = new Held();
        var serial = new SerialExecutor(held, true);
        var result = new java.util.concurrent.CompletableFuture<Thread>();
        List<String> ran = new ArrayList<>();

        serial.execute(() -> {
            serial.execute(() -> ran.add("queued by the task"));
            result.complete(Thread.currentThread());
        }, true);
        assertThat(held.handed).as("nothing handed to the loop's thread yet").isEmpty();
        serial.runWhileWaiting(result);

        assertThat(result).isCompletedWithValue(Thread.currentThread());
        assertThat(ran).as("the caller stopped once its result was done").isEmpty();
        assertThat(held.handed).as("the task left over went to the loop's thread").hasSize(1);
        held.handed.get(0).run();
        assertThat(ran).containsExactly("queued by the task");
    }
}
