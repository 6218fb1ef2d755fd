package dev.profilestore.sqlite;

import dev.profilestore.spi.Messaging;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Messaging instances on one file in one process wake each other when one publishes, so a message does not wait
 * for the receiver's next poll. The poll interval here is a minute: only the wake can deliver within the test.
 */
class SqliteMessagingWakeTest {

    private static final SqliteOptions SLOW_POLL = SqliteOptions.defaults().withPollInterval(Duration.ofMinutes(1));

    @TempDir
    Path dir;

    @Test
    void aMessagePublishedByOneInstance_reachesAnotherOnTheSameFile_beforeItsNextPoll() {
        Path db = dir.resolve("wake.db");
        List<String> received = new CopyOnWriteArrayList<>();
        try (Messaging sender = SqliteMessaging.open(db, SLOW_POLL);
             Messaging receiver = SqliteMessaging.open(db, SLOW_POLL)) {
            receiver.subscribe("ch", payload -> received.add(new String(payload, StandardCharsets.UTF_8)));
            sender.publish("ch", "hello".getBytes(StandardCharsets.UTF_8));

            await().atMost(Duration.ofSeconds(20)).until(() -> received.contains("hello"));
        }
    }

    @Test
    void afterAnInstanceOnTheFileCloses_theOthersStillWakeEachOther() {
        Path db = dir.resolve("wake2.db");
        List<String> received = new CopyOnWriteArrayList<>();
        try (Messaging sender = SqliteMessaging.open(db, SLOW_POLL);
             Messaging receiver = SqliteMessaging.open(db, SLOW_POLL)) {
            Messaging closed = SqliteMessaging.open(db, SLOW_POLL);
            closed.close();
            receiver.subscribe("ch", payload -> received.add(new String(payload, StandardCharsets.UTF_8)));
            sender.publish("ch", "after a close".getBytes(StandardCharsets.UTF_8));

            await().atMost(Duration.ofSeconds(20)).until(() -> received.contains("after a close"));
        }
    }
}
