package dev.profilestore.redis;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real redis-server (6.2, from the embedded-redis artifact) on a free loopback port, plus an admin
 * connection for what tests do behind the library's back (CLIENT KILL, SCRIPT FLUSH, CONFIG).
 */
final class TestRedis implements AutoCloseable {

    private final int port;
    private final Path dir;
    private final List<String> settings;
    private RedisServer server;
    private RedisClient adminClient;
    private StatefulRedisConnection<String, String> admin;

    private TestRedis(List<String> settings) {
        this.port = freePort();
        try {
            this.dir = Files.createTempDirectory("profilestore-redis-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.settings = settings;
    }

    /** A server that persists nothing (the fastest; data is gone after a restart). */
    static TestRedis ephemeral() {
        return new TestRedis(List.of("save \"\"", "appendonly no")).start();
    }

    /** A server with AOF and fsync on every write, so its data survives {@link #restart()}. */
    static TestRedis durable() {
        return new TestRedis(List.of("save \"\"", "appendonly yes", "appendfsync always")).start();
    }

    /** A server started with these redis.conf settings. */
    static TestRedis withSettings(String... settings) {
        return new TestRedis(List.of(settings)).start();
    }

    TestRedis start() {
        return start(List.of());
    }

    /**
     * Starts the stopped server again as a replica of the server on {@code primaryPort}, as an operator brings a
     * failed primary back after a failover, rather than as a primary that something must demote later.
     */
    TestRedis startAsReplicaOf(int primaryPort) {
        return start(List.of("replicaof 127.0.0.1 " + primaryPort));
    }

    private TestRedis start(List<String> extraSettings) {
        try {
            var b = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("dir " + dir.toAbsolutePath());
            settings.forEach(b::setting);
            extraSettings.forEach(b::setting);
            server = b.build();
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server on port " + port, e);
        }
        return this;
    }

    void stop() {
        closeAdmin();
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the server and starts it again on the same port (with the same data directory). */
    void restart() {
        stop();
        start();
    }

    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    /** A synchronous String connection for test set-up and fault injection. */
    synchronized RedisCommands<String, String> admin() {
        if (admin == null || !admin.isOpen()) {
            adminClient = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(port)
                    .withTimeout(Duration.ofSeconds(5)).build());
            admin = adminClient.connect();
        }
        return admin.sync();
    }

    /** Like {@link #admin()}, for a server started with {@code requirepass}. */
    synchronized RedisCommands<String, String> adminWithPassword(String password) {
        if (admin == null || !admin.isOpen()) {
            adminClient = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(port)
                    .withPassword(password.toCharArray()).withTimeout(Duration.ofSeconds(5)).build());
            admin = adminClient.connect();
        }
        return admin.sync();
    }

    private synchronized void closeAdmin() {
        if (admin != null) {
            admin.close();
            adminClient.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            admin = null;
            adminClient = null;
        }
    }

    @Override
    public void close() {
        if (server.isActive()) {
            stop();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills, with {@code CLIENT KILL ID}, every connection of the server behind {@code admin} named {@code name}. */
    static int killClients(RedisCommands<String, String> admin, String name) {
        int killed = 0;
        for (String line : admin.clientList().split("\n")) {
            String id = null;
            String clientName = null;
            for (String field : line.trim().split(" ")) {
                if (field.startsWith("id=")) {
                    id = field.substring(3);
                } else if (field.startsWith("name=")) {
                    clientName = field.substring(5);
                }
            }
            if (id != null && name.equals(clientName)) {
                killed += admin.clientKill(KillArgs.Builder.id(Long.parseLong(id))).intValue();
            }
        }
        return killed;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
