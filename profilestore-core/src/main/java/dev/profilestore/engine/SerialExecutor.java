package dev.profilestore.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs tasks one at a time, in submission order, on a delegate executor that may itself be
 * multi-threaded or the caller's thread. This is the store's event loop.
 */
final class SerialExecutor implements Executor {

    private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);
    // Bounded batches keep a shared game-thread executor responsive when many tasks queue up.
    private static final int BATCH = 256;

    private final Executor delegate;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean scheduled;
    private volatile Thread runner;

    SerialExecutor(Executor delegate) {
        this.delegate = delegate;
    }

    @Override
    public void execute(Runnable task) {
        boolean start;
        synchronized (tasks) {
            tasks.add(task);
            start = !scheduled;
            scheduled = true;
        }
        if (start) {
            try {
                delegate.execute(this::drain);
            } catch (RejectedExecutionException e) {
                // The callback executor was shut down after close: a store call that answered late (one waiting out
                // a failover, say) has nobody left to tell. Its tasks can never run; throwing would only kill the
                // I/O thread that brought the answer.
                int dropped;
                synchronized (tasks) {
                    dropped = tasks.size();
                    tasks.clear();
                    scheduled = false;
                }
                log.debug("the event loop's executor is shut down: {} task(s) dropped", dropped);
            }
        }
    }

    /** Whether the calling thread is running a task of this executor now. */
    boolean inLoop() {
        return runner == Thread.currentThread();
    }

    private void drain() {
        Thread previous = runner;
        runner = Thread.currentThread();
        try {
            for (int i = 0; i < BATCH; i++) {
                Runnable next;
                synchronized (tasks) {
                    next = tasks.poll();
                    if (next == null) {
                        scheduled = false;
                        return;
                    }
                }
                try {
                    next.run();
                } catch (Throwable t) {
                    log.error("a profile store task failed", t);
                }
            }
        } finally {
            runner = previous;
        }
        delegate.execute(this::drain);
    }
}
