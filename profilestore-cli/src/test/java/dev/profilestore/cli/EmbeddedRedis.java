package dev.profilestore.cli;

import redis.embedded.RedisServer;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;

/**
 * A real Redis server for a CLI test, from the {@code embedded-redis} Maven artifact, on a free loopback port,
 * durable as a production one is configured (append-only file, fsync per write) with its files in {@code dir}.
 */
public record EmbeddedRedis(RedisServer server, int port) implements AutoCloseable {

    public static EmbeddedRedis start(Path dir) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RedisServer redis = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                .setting("dir " + dir.toAbsolutePath()).setting("appendonly yes").setting("appendfsync always").build();
        redis.start();
        return new EmbeddedRedis(redis, port);
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() throws IOException {
        server.stop();
    }
}
