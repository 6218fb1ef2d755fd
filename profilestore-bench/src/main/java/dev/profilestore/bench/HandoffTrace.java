package dev.profilestore.bench;

import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionOptions;
import dev.profilestore.spi.ForwardingMessaging;
import dev.profilestore.spi.ForwardingStorage;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.WriteResult;
import dev.profilestore.testkit.PlayerData;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Diagnosis, not measurement: the timeline of single handoffs (every store call and control message of both
 * servers, in microseconds from the request), to see where a handoff's time goes on each backend.
 * Run: {@code bench-trace [backend ...]} or {@code java -cp profilestore-bench.jar dev.profilestore.bench.HandoffTrace sqlite};
 * {@code -Dpeer=true} traces with peer messaging, {@code -Dwarm=N} sets the handoffs run before those shown;
 * {@code -Dslower=MS} runs a thousand more and shows, of those, up to five that took longer than MS milliseconds
 * (the tail of the distribution, not its middle).
 */
public final class HandoffTrace {

    private HandoffTrace() {}

    /** Prints the timelines of a few handoffs per backend named in {@code args} (default: all). */
    public static void main(String[] args) throws Exception {
        EnumSet<BackendKind> kinds = EnumSet.noneOf(BackendKind.class);
        for (String a : args) {
            kinds.add(BackendKind.parse(a));
        }
        if (kinds.isEmpty()) {
            kinds = EnumSet.allOf(BackendKind.class);
        }
        try (Servers servers = new Servers()) {
            for (BackendKind kind : kinds) {
                // -Dpeer=true traces the backend with peer messaging over its own, as the bench's "+ peer" rows.
                System.out.println(trace(new Backend(kind, servers, Boolean.getBoolean("peer")),
                        Integer.getInteger("warm", 20), 2));
            }
        }
        System.exit(0);
    }

    /** Runs {@code warm + shown} handoffs and returns the timelines of the last {@code shown}. */
    static String trace(Backend backend, int warm, int shown) throws Exception {
        List<String> log = new ArrayList<>();
        long[] origin = {System.nanoTime()};
        Consumer<String> event = e -> {
            synchronized (log) {
                log.add(String.format(java.util.Locale.ROOT, "%9.3f ms  %-7s %s  [%s]",
                        (System.nanoTime() - origin[0]) / 1e6, "", e, Thread.currentThread().getName()));
            }
        };
        String slower = System.getProperty("slower");
        long slowerNanos = slower == null ? -1 : (long) (Double.parseDouble(slower) * 1e6);
        int runs = slower == null ? warm + shown : warm + 1000;
        int[] left = {slower == null ? shown : 5};
        String storeName = "Trace" + System.nanoTime() % 100_000;
        StringBuilder out = new StringBuilder("== " + backend.kind().label() + " ==\n");
        try (Storage sa = backend.storage(); Messaging ma = backend.messaging();
             Storage sb = backend.storage(); Messaging mb = backend.messaging();
             ProfileStore<PlayerData> a = store(storeName, "A", sa, ma, event);
             ProfileStore<PlayerData> b = store(storeName, "B", sb, mb, event)) {
            ProfileStore<PlayerData> holder = a;
            ProfileStore<PlayerData> requester = b;
            Profile<PlayerData> held = holder.startSession("traced", SessionOptions.defaults()).orElseThrow();
            for (int i = 0; i < runs; i++) {
                synchronized (log) {
                    log.clear();
                }
                origin[0] = System.nanoTime();
                event.accept((requester == a ? "A" : "B") + " asks");
                Profile<PlayerData> got = requester.startSessionAsync("traced", SessionOptions.defaults())
                        .get(30, TimeUnit.SECONDS).orElseThrow();
                event.accept((requester == a ? "A" : "B") + " holds");
                if (i >= warm && left[0] > 0 && System.nanoTime() - origin[0] > slowerNanos) {
                    left[0]--;
                    synchronized (log) {
                        log.forEach(l -> out.append(l).append('\n'));
                    }
                    out.append('\n');
                }
                HandoffScenario.awaitEnded(null, held, holder);
                held = got;
                ProfileStore<PlayerData> t = holder;
                holder = requester;
                requester = t;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        return out.toString();
    }

    private static ProfileStore<PlayerData> store(String name, String id, Storage s, Messaging m, Consumer<String> event) {
        return ProfileStore.builder(name, PlayerData.class, PlayerData::new)
                .storage(new Traced(s, id, event))
                .messaging(new TracedMessaging(m, id, event))
                .serverId("trace-" + id + "-" + System.nanoTime() % 10_000)
                .lease(Duration.ofSeconds(15))
                .build();
    }

    /** Reports each control message sent and received; the rest passes through. */
    private static final class TracedMessaging extends ForwardingMessaging {
        private final String id;
        private final Consumer<String> event;

        TracedMessaging(Messaging m, String id, Consumer<String> event) {
            super(m);
            this.id = id;
            this.event = event;
        }

        @Override
        public void publish(String channel, byte[] payload) {
            event.accept(id + " publish " + new String(payload, java.nio.charset.StandardCharsets.UTF_8).split(",")[0]);
            delegate.publish(channel, payload);
        }

        @Override
        public Subscription subscribe(String channel, Consumer<byte[]> listener) {
            return delegate.subscribe(channel, p -> {
                event.accept(id + " received " + new String(p, java.nio.charset.StandardCharsets.UTF_8).split(",")[0]);
                listener.accept(p);
            });
        }

        @Override
        public void close() {
            // closed by the caller
        }
    }

    /** Reports the start and end of the store calls on a handoff's critical path; the rest passes through. */
    private static final class Traced extends ForwardingStorage {
        private final String id;
        private final Consumer<String> event;

        Traced(Storage s, String id, Consumer<String> event) {
            super(s);
            this.id = id;
            this.event = event;
        }

        private <R> R timed(String what, java.util.function.Supplier<R> call) {
            event.accept(id + " " + what + " ->");
            R r = call.get();
            event.accept(id + " " + what + " <-");
            return r;
        }

        @Override
        public Optional<StoredRecord> read(String store, String key) {
            return timed("read", () -> delegate.read(store, key));
        }

        @Override
        public WriteResult write(String store, String key, long expectedRevision, RecordWrite write) {
            return timed("write(" + write.versioning() + ")", () -> delegate.write(store, key, expectedRevision, write));
        }

        // The twins the engine calls, traced too, so the trace follows the backend's own non-blocking path.
        private <R> java.util.concurrent.CompletableFuture<R> timedAsync(String what,
                java.util.function.Supplier<java.util.concurrent.CompletableFuture<R>> call) {
            event.accept(id + " " + what + " ->");
            return call.get().whenComplete((r, e) -> event.accept(id + " " + what + " <-"));
        }

        @Override
        public java.util.concurrent.CompletableFuture<Optional<StoredRecord>> readAsync(String store, String key,
                java.util.concurrent.Executor blocking) {
            return timedAsync("readAsync", () -> delegate.readAsync(store, key, blocking));
        }

        @Override
        public java.util.concurrent.CompletableFuture<WriteResult> writeAsync(String store, String key,
                long expectedRevision, RecordWrite write, java.util.concurrent.Executor blocking) {
            return timedAsync("writeAsync(" + write.versioning() + ")",
                    () -> delegate.writeAsync(store, key, expectedRevision, write, blocking));
        }

        @Override
        public void renewLease(String serverId, Duration ttl) {
            timed("renewLease", () -> {
                delegate.renewLease(serverId, ttl);
                return null;
            });
        }

        @Override
        public boolean isLeaseLive(String serverId) {
            return timed("isLeaseLive", () -> delegate.isLeaseLive(serverId));
        }

        @Override
        public Duration leaseRemaining(String serverId) {
            return timed("leaseRemaining", () -> delegate.leaseRemaining(serverId));
        }

        @Override
        public void close() {
            // closed by the caller
        }
    }
}
