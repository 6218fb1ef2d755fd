package dev.profilestore;

import dev.profilestore.memory.InMemoryStorage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProfileStoreBuilderTest {

    @SuppressWarnings("rawtypes")
    private ProfileStoreBuilder<Map> builder() {
        return ProfileStore.builder("Players", Map.class, java.util.HashMap::new).storage(new InMemoryStorage()).withoutMessaging();
    }

    @Test
    void storeNames_mustBeNonEmptyShortAndFreeOfControlCharacters() {
        assertThatThrownBy(() -> ProfileStore.builder("", Map.class, java.util.HashMap::new))
                .isInstanceOf(InvalidKeyException.class).hasMessageContaining("store name must not be empty");
        assertThatThrownBy(() -> ProfileStore.builder("x".repeat(51), Map.class, java.util.HashMap::new))
                .isInstanceOf(InvalidKeyException.class).hasMessageContaining("51 characters").hasMessageContaining("50");
        assertThatThrownBy(() -> ProfileStore.builder("bad\nname", Map.class, java.util.HashMap::new))
                .isInstanceOf(InvalidKeyException.class).hasMessageContaining("U+000A");
        assertThatThrownBy(() -> ProfileStore.builder(null, Map.class, java.util.HashMap::new))
                .isInstanceOf(InvalidKeyException.class);
    }

    @Test
    void optionsRejectNonPositiveValues_namingTheOption() {
        assertThatThrownBy(() -> builder().autoSavePeriod(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("autoSavePeriod");
        assertThatThrownBy(() -> builder().lease(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lease");
        assertThatThrownBy(() -> builder().maxDataBytes(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDataBytes");
        assertThatThrownBy(() -> builder().maxMessages(-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxMessages");
    }

    @Test
    void build_checksCombinations() {
        assertThatThrownBy(() -> builder().pollInterval(Duration.ofSeconds(2), Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("pollInterval");
        assertThatThrownBy(() -> builder().formatVersion(3).migration(1, n -> n).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no migration from format 2");
        assertThatThrownBy(() -> builder().migration(1, n -> n).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("formatVersion is 1");
        assertThatThrownBy(() -> builder().migration(1, n -> n).migration(1, n -> n))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already");
    }

    @Test
    void keys_areValidatedBeforeAnyStoreAccess() {
        try (var store = builder().build()) {
            assertThatThrownBy(() -> store.startSessionAsync("")).isInstanceOf(InvalidKeyException.class);
            assertThatThrownBy(() -> store.getAsync("k".repeat(101))).isInstanceOf(InvalidKeyException.class)
                    .hasMessageContaining("101");
            assertThatThrownBy(() -> store.messageAsync("a\u0000b", Map.of())).isInstanceOf(InvalidKeyException.class)
                    .hasMessageContaining("U+0000");
            assertThatThrownBy(() -> store.removeAsync("\uD800")).isInstanceOf(InvalidKeyException.class);
        }
    }

    @Test
    void withoutStorage_andNoDefaultOnTheClassPath_buildSaysWhatToAdd() {
        assertThatThrownBy(() -> ProfileStore.builder("Players", Map.class, java.util.HashMap::new).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("profilestore-sqlite");
    }

    @Test
    void aStorageWithoutMessaging_isRefused_unlessTheUserOptsOutByName() {
        assertThatThrownBy(() -> ProfileStore.builder("Players", Map.class, java.util.HashMap::new)
                .storage(new InMemoryStorage()).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no messaging")
                .hasMessageContaining("stealAfter").hasMessageContaining("withoutMessaging()");
        try (var store = builder().build()) {
            assertThat(store.name()).isEqualTo("Players");
        }
    }

    @Test
    void messagingOfferedByTheStorage_isUsedAndClosedWithTheStore() {
        var opened = new java.util.concurrent.atomic.AtomicInteger();
        var closed = new java.util.concurrent.atomic.AtomicInteger();
        var hub = new dev.profilestore.memory.InMemoryMessaging();
        class OffersMessaging extends dev.profilestore.spi.ForwardingStorage {
            OffersMessaging() {
                super(new InMemoryStorage());
            }

            @Override
            public dev.profilestore.spi.Messaging openMessaging() {
                opened.incrementAndGet();
                return new dev.profilestore.spi.Messaging() {
                    @Override
                    public void publish(String channel, byte[] payload) {
                        hub.publish(channel, payload);
                    }

                    @Override
                    public Subscription subscribe(String channel, java.util.function.Consumer<byte[]> listener) {
                        return hub.subscribe(channel, listener);
                    }

                    @Override
                    public void close() {
                        closed.incrementAndGet();
                    }
                };
            }
        }
        var store = ProfileStore.builder("Players", Map.class, java.util.HashMap::new).storage(new OffersMessaging()).build();
        assertThat(opened).hasValue(1);
        store.close();
        assertThat(closed).as("the store opened it, so the store closes it").hasValue(1);
    }
}
