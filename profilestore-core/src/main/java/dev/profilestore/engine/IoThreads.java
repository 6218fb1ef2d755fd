package dev.profilestore.engine;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default I/O executor: a store's blocking calls on up to {@value #THREADS} platform threads.
 *
 * <p>Why platform threads: a platform thread blocked on a socket is woken by the kernel when the reply
 * arrives; a virtual thread is woken by the JDK's poller and then waits for a carrier thread, two more
 * thread switches per call. A session cycle makes four store calls, and on the machines measured
 * (docs/benchmarks.md, {@code ThroughputProbe}) those switches cost PostgreSQL half its single-caller
 * throughput. Why at most 16: the calls mostly wait for a database whose connection pool is smaller
 * (HikariCP's 10 here), so more threads would only queue there; calls beyond 16 queue here instead.
 * Idle threads end after 30 s, so a quiet store holds none.
 */
final class IoThreads {

    static final int THREADS = 16;

    private IoThreads() {}

    static ExecutorService create(String storeName) {
        AtomicInteger n = new AtomicInteger();
        var pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "profilestore-io-" + storeName + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
