package dev.profilestore.bench.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionOptions;
import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.testkit.PlayerData;
import dev.profilestore.time.ManualScheduler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The save path without I/O: change the data, serialize it, wrap it in the envelope, compare-and-set it into the
 * in-memory store. Executors run on the calling thread, so this is the engine's CPU cost per save. Beside it,
 * Jackson serializing the same data alone, the floor any hand-written save pays too.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SaveBenchmark {

    private ManualScheduler clock;
    private ProfileStore<PlayerData> store;
    private Profile<PlayerData> profile;
    private final ObjectMapper mapper = new ObjectMapper();
    private PlayerData plain;

    /** Starts one session on a fresh store. */
    @Setup(Level.Trial)
    public void setUp() {
        clock = new ManualScheduler();
        store = ProfileStore.builder("Jmh", PlayerData.class, PlayerData::new)
                .storage(new InMemoryStorage(clock, 0))
                .withoutMessaging()
                .scheduler(clock)
                .callbackExecutor(Runnable::run)
                .ioExecutor(Runnable::run)
                .build();
        var start = store.startSessionAsync("player", SessionOptions.defaults());
        clock.runDue();
        profile = start.join().orElseThrow();
        for (int i = 0; i < 20; i++) {
            profile.data().items.add("item-" + i);
            profile.data().stats.put("stat-" + i, i);
        }
        plain = profile.data();
    }

    /** Ends the session and closes the store. */
    @TearDown(Level.Trial)
    public void tearDown() {
        var closing = store.closeAsync();
        clock.advance(Duration.ofMinutes(1));
        closing.join();
    }

    /** One manual save of changed data through the engine. */
    @Benchmark
    public void saveChanged() {
        profile.data().coins++;
        profile.saveAsync().join();
    }

    /** Jackson alone, serializing the same data. */
    @Benchmark
    public byte[] jacksonSerializeOnly() throws Exception {
        plain.coins++;
        return mapper.writeValueAsBytes(plain);
    }
}
