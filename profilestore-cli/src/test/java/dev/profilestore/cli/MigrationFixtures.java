package dev.profilestore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.StoreConnection;
import dev.profilestore.admin.ProfileRecords;
import dev.profilestore.admin.StoredProfile;
import dev.profilestore.spi.Micros;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Player data written the way game servers write it, and an independent check that a migration carried all of it:
 * the tests compare both sides through the storage SPI themselves rather than trusting {@code --verify}.
 */
final class MigrationFixtures {

    private MigrationFixtures() {}

    /** A store over the connection, as a game server opens one. */
    static ProfileStore<JsonNode> server(StoreConnection c, String storeName, String serverId) {
        var b = ProfileStore.builder(storeName, JsonNode.class, JsonNodeFactory.instance::objectNode)
                .storage(c.storage()).serverId(serverId);
        if (c.messaging() != null) {
            b.messaging(c.messaging());
        } else {
            b.withoutMessaging();
        }
        return b.build();
    }

    /**
     * {@code players} profiles {@code player-0..}, each played in two sessions (so two saved versions) with a user id
     * of {@code 1000 + i}; every other one sent a gift afterwards (a pending message); the first version of player-1
     * pinned; and a message box {@code never-played} (a key sent a message but never started).
     */
    static void seed(StoreConnection c, String storeName, int players) {
        try (ProfileStore<JsonNode> store = server(c, storeName, "seed-server")) {
            for (int i = 0; i < players; i++) {
                String key = "player-" + i;
                int n = i;
                for (int session = 1; session <= 2; session++) {
                    Profile<JsonNode> p = store.startSession(key).orElseThrow();
                    int s = session;
                    CompletableFuture.runAsync(() -> {
                        ((ObjectNode) p.data()).put("coins", n * 10 + s).put("name", "Player " + n);
                        p.addUserId(1000L + n);
                    }, store.callbackExecutor()).join();
                    p.endSession();
                }
                if (i % 2 == 0) {
                    store.messageAsync(key, Map.of("gift", "sword", "from", i)).join();
                }
            }
            store.messageAsync("never-played", Map.of("gift", "welcome pack")).join();
        }
        VersionInfo first = c.storage().versions(storeName, "player-1", VersionRange.all(1)).getFirst();
        assertThat(c.storage().pinVersion(storeName, "player-1", first.versionId())).isTrue();
    }

    /**
     * Asserts the target holds every profile of the source as it is there: record bytes, saved versions (number,
     * order, save time, content, pin), user-id index and pending messages; and that the target's revisions of each
     * key increase from its oldest version to its record.
     *
     * @return how many profiles were compared
     */
    static int assertSameProfiles(Storage source, Storage target, String store) {
        List<String> keys = source.listKeys(store, null, 10_000);
        assertThat(target.listKeys(store, null, 10_000)).containsExactlyInAnyOrderElementsOf(keys);
        int messages = 0;
        for (String key : keys) {
            StoredRecord s = source.read(store, key).orElseThrow();
            StoredRecord t = target.read(store, key).orElseThrow();
            assertThat(t.payload()).as("record of %s", key).isEqualTo(s.payload());
            StoredProfile sp = ProfileRecords.decode(s.payload());
            StoredProfile tp = ProfileRecords.decode(t.payload());
            assertThat(tp.messages()).as("pending messages of %s", key).isEqualTo(sp.messages());
            assertThat(tp.createdAt()).as("first session of %s", key).isEqualTo(sp.createdAt());
            messages += tp.messages().size();
            for (long userId : sp.userIds()) {
                assertThat(target.keysByUserId(store, userId)).as("user id %d", userId).contains(key);
            }
            List<VersionInfo> sv = source.versions(store, key, VersionRange.all(1000));
            List<VersionInfo> tv = target.versions(store, key, VersionRange.all(1000));
            assertThat(tv).as("versions of %s", key).hasSameSizeAs(sv);
            Set<String> sPinned = source.pinnedVersions(store, key);
            Set<String> tPinned = target.pinnedVersions(store, key);
            List<Long> revisions = new ArrayList<>();
            for (int i = 0; i < sv.size(); i++) {
                assertThat(Micros.floor(tv.get(i).savedAt())).as("save time of version %d of %s", i, key)
                        .isEqualTo(Micros.floor(sv.get(i).savedAt()));
                assertThat(target.readVersion(store, key, tv.get(i).versionId()).orElseThrow().payload())
                        .isEqualTo(source.readVersion(store, key, sv.get(i).versionId()).orElseThrow().payload());
                assertThat(tv.get(i).cause()).as("cause of version %d of %s", i, key).isEqualTo(sv.get(i).cause());
                assertThat(tPinned.contains(tv.get(i).versionId())).as("pin of version %d of %s", i, key)
                        .isEqualTo(sPinned.contains(sv.get(i).versionId()));
                revisions.add(tv.get(i).revision());
            }
            revisions.add(t.revision());
            assertThat(revisions).as("revisions of %s on the target", key).isSorted().doesNotHaveDuplicates();
        }
        assertThat(messages).as("pending messages carried over").isPositive();
        return keys.size();
    }

    /** How many saved versions the store's keys have in all. */
    static int versionCount(Storage storage, String store) {
        int n = 0;
        for (String key : storage.listKeys(store, null, 10_000)) {
            n += storage.versions(store, key, VersionRange.all(1000)).size();
        }
        return n;
    }
}
