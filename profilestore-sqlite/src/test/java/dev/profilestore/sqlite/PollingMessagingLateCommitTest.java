package dev.profilestore.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.profilestore.spi.Messaging;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The polled messages table (shared with MySQL) delivers a row whose id is lower than one already read, as when
 * a server's insert commits after another server's insert with a higher auto-increment id.
 */
final class PollingMessagingLateCommitTest {

    @TempDir
    Path dir;

    private static void insert(Connection c, long id, String text) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO profilestore_messages (id, channel, payload, created_at) VALUES (?, 'late', ?, 0)")) {
            ps.setLong(1, id);
            ps.setBytes(2, text.getBytes(StandardCharsets.UTF_8));
            ps.executeUpdate();
        }
    }

    @Test
    void rowCommittedAfterAHigherId_isStillDelivered() throws Exception {
        Path file = dir.resolve("late.db");
        List<String> received = new CopyOnWriteArrayList<>();
        try (Messaging messaging = SqliteMessaging.open(file);
                Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            messaging.subscribe("late", p -> received.add(new String(p, StandardCharsets.UTF_8)));

            insert(c, 3, "committed first, id 3");
            await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("committed first, id 3"));
            insert(c, 2, "committed late, id 2");

            await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("committed late, id 2"));
            assertThat(received).containsExactly("committed first, id 3", "committed late, id 2");
        }
    }
}
