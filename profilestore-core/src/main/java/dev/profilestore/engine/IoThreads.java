package dev.profilestore.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default I/O executor: a store's blocking calls on up to {@value #THREADS} platform threads, which also run
 * the event loop's work between those calls.
 *
 * <p>Why platform threads: a platform thread blocked on a socket is woken by the kernel when the reply
 * arrives; a virtual thread is woken by the JDK's poller and then waits for a carrier thread, two more
 * thread switches per call. A session cycle makes four store calls, and on the machines measured
 * (docs/benchmarks.md, {@code ThroughputProbe}) those switches cost PostgreSQL half its single-caller
 * throughput. Why at most 16: the calls mostly wait for a database whose connection pool is smaller
 * (HikariCP's 10 here), so more threads would only queue there; calls beyond 16 queue here instead.
 * Idle threads end after 30 s, so a quiet store holds none.
 *
 * <p>Why these threads run the loop's work: handing a store call's answer to the loop's thread, and the next call
 * back to an idle I/O thread, is two thread wake-ups per store call, and on the 2-core machine measured a hand-over
 * and the wake-up back cost 50 to 70 µs of CPU, more than the engine's work on the answer. So a thread whose call
 * answered runs the continuation itself when the loop is free ({@link #runOnLoop}), and the first store call that
 * continuation starts is kept for this same thread to run once it has left the loop, instead of waking another. A
 * read, a plan and its compare-and-set then run on one thread. This is done only when the loop runs on the store's
 * own thread (a game's callback executor keeps its tasks, see {@link SerialExecutor}). A store call is never run on
 * a caller's thread: one that hangs would hold the game's thread past the storage timeout.
 */
final class IoThreads implements Executor {

    private static final Logger log = LoggerFactory.getLogger(IoThreads.class);

    static final int THREADS = 16;

    private final ThreadPoolExecutor pool;

    private IoThreads(String storeName) {
        AtomicInteger n = new AtomicInteger();
        pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> new Worker(this, r, "profilestore-io-" + storeName + "-" + n.incrementAndGet()));
        pool.allowCoreThreadTimeOut(true);
    }

    static IoThreads create(String storeName) {
        return new IoThreads(storeName);
    }

    /** One of the pool's threads, with the store call kept for it to run next. */
    private static final class Worker extends Thread {
        final IoThreads owner;
        /** Running loop tasks now (see {@link #runOnLoop}): a store call they start is kept in {@link #next}. */
        boolean onLoop;
        Runnable next;

        Worker(IoThreads owner, Runnable r, String name) {
            super(r, name);
            this.owner = owner;
            setDaemon(true);
        }
    }

    private Worker ownWorker() {
        return Thread.currentThread() instanceof Worker w && w.owner == this ? w : null;
    }

    @Override
    public void execute(Runnable call) {
        Worker w = ownWorker();
        if (w != null && w.onLoop && w.next == null && !pool.isShutdown()) {
            w.next = call;
            return;
        }
        pool.execute(() -> runThenKept(call));
    }

    /**
     * Runs {@code call}, then the store calls kept for this thread meanwhile, one after the other rather than
     * nested, so a chain of calls and continuations does not deepen the stack.
     */
    private void runThenKept(Runnable call) {
        Worker w = (Worker) Thread.currentThread();
        for (Runnable r = call; r != null; r = w.next, w.next = null) {
            try {
                r.run();
            } catch (RuntimeException | Error e) {
                // A store call's task completes its own future; one that throws anyway must not strand the rest.
                log.error("a store call of the I/O executor failed", e);
            }
        }
    }

    /**
     * Queues {@code task} on {@code loop}; on one of these threads, runs the loop's tasks here when no other thread
     * runs them (see the class comment).
     */
    void runOnLoop(SerialExecutor loop, Runnable task) {
        Worker w = ownWorker();
        if (w == null || w.onLoop) {
            loop.execute(task);
            return;
        }
        loop.execute(task, true);
        w.onLoop = true;
        try {
            loop.runHere();
        } finally {
            w.onLoop = false;
        }
    }

    /** Calls waiting for a thread. */
    int queued() {
        return pool.getQueue().size();
    }

    /** Stops taking calls; calls already queued or kept still run. */
    void shutdown() {
        pool.shutdown();
    }
}
