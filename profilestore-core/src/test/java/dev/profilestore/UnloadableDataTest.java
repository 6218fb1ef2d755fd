package dev.profilestore;

import dev.profilestore.memory.InMemoryMessaging;
import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.time.ManualScheduler;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Stored data this server can read but never write back fails the start, and leaves nothing behind. */
class UnloadableDataTest {

    /** A data class whose getter throws on data saved before {@code coins} existed. */
    public static final class Strict {
        public Integer coins;

        public int getDoubled() {
            return coins * 2;
        }
    }

    @Test
    void dataWhoseGetterThrows_failsTheStartWithoutALock_andCloseReturns() {
        var clock = new ManualScheduler();
        var storage = new InMemoryStorage(clock, 10);
        String old = "{\"format\":\"profilestore/1\",\"dataVersion\":1,\"data\":{},\"meta\":{\"createdMs\":1,"
                + "\"loadCount\":1,\"lastUpdateMs\":1,\"lastSnapshotMs\":1},\"metadata\":{},\"userIds\":[],"
                + "\"messages\":{\"lastId\":0,\"items\":[]}}";
        storage.write("Strict", "old", Storage.ABSENT, new RecordWrite(old.getBytes(StandardCharsets.UTF_8), Set.of(),
                RecordWrite.Versioning.NONE));
        ProfileStore<Strict> store = ProfileStore.builder("Strict", Strict.class, Strict::new).storage(storage)
                .messaging(new InMemoryMessaging()).scheduler(clock).callbackExecutor(Runnable::run)
                .ioExecutor(Runnable::run).build();

        assertThat(store.startSessionAsync("old")).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(DataSerializationException.class);
        assertThat(new String(storage.read("Strict", "old").orElseThrow().payload(), StandardCharsets.UTF_8))
                .as("no lock taken, nothing written").isEqualTo(old);
        assertThat(store.closeAsync()).succeedsWithin(Duration.ZERO);
    }
}
