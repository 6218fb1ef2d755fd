package dev.profilestore.bench;

import dev.profilestore.memory.InMemoryMessaging;
import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.mysql.MysqlMessaging;
import dev.profilestore.mysql.MysqlStorage;
import dev.profilestore.peer.PeerMessaging;
import dev.profilestore.postgres.PostgresMessaging;
import dev.profilestore.postgres.PostgresStorage;
import dev.profilestore.redis.RedisMessaging;
import dev.profilestore.redis.RedisStorage;
import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;
import dev.profilestore.sqlite.SqliteMessaging;
import dev.profilestore.sqlite.SqliteStorage;
import dev.profilestore.testkit.faults.FaultyMessaging;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * One backend under test: opens a fresh {@link Storage} and {@link Messaging} per simulated game server (each with
 * its own connections, as separate processes would have), and raw drivers for the throughput baseline.
 */
final class Backend implements AutoCloseable {

    /** The secret of the bench's peer messaging; a deployment reads its own from configuration. */
    private static final byte[] PEER_SECRET = "bench peer secret, not for use!!".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private final BackendKind kind;
    private final boolean peer;
    private final String variant;
    private final Servers servers;
    private final InMemoryStorage memory;
    private final InMemoryMessaging hub;
    private final Path sqliteFile;

    Backend(BackendKind kind, Servers servers) {
        this(kind, servers, false);
    }

    /** With {@code peer}, every messaging instance is peer messaging over the backend's own, on loopback. */
    Backend(BackendKind kind, Servers servers, boolean peer) {
        this(kind, servers, peer, "");
    }

    /** As {@link #Backend(BackendKind, Servers, boolean)}, with {@code variant} (a server setting) in its label. */
    Backend(BackendKind kind, Servers servers, boolean peer, String variant) {
        this.kind = kind;
        this.peer = peer;
        this.variant = variant;
        this.servers = servers;
        this.memory = kind == BackendKind.MEMORY ? new InMemoryStorage() : null;
        this.hub = kind == BackendKind.MEMORY ? new InMemoryMessaging() : null;
        this.sqliteFile = servers.dir().resolve("bench.db");
        // Start the server and create the schema before anything is timed.
        storage().close();
    }

    /** Seconds of CPU the backend's server processes have used (PostgreSQL, Redis; otherwise 0). */
    double databaseCpuSeconds() {
        return switch (kind) {
            case POSTGRES -> DatabaseCpu.seconds(servers, "postgres");
            case REDIS -> DatabaseCpu.seconds(servers, "redis");
            default -> 0;
        };
    }

    BackendKind kind() {
        return kind;
    }

    /** A new storage instance with its own connections; the caller closes it. */
    Storage storage() {
        return switch (kind) {
            case MEMORY -> new CountingStorage(memory); // does not close the shared store
            case SQLITE -> SqliteStorage.open(sqliteFile);
            case POSTGRES -> PostgresStorage.open(servers.postgresUri());
            case REDIS -> RedisStorage.connect(servers.redisUri());
            case MARIADB -> MysqlStorage.open(servers.mariadbUri());
        };
    }

    /** The name used in reports: the kind's, with its variant, and "+ peer" for peer messaging. */
    String label() {
        return kind.label() + variant + (peer ? " + peer" : "");
    }

    /** A new messaging instance with its own connections; the caller closes it. */
    Messaging messaging() {
        Messaging own = ownMessaging();
        return peer ? PeerMessaging.over(own).bind("127.0.0.1", 0).secret(PEER_SECRET).build() : own;
    }

    private Messaging ownMessaging() {
        return switch (kind) {
            case MEMORY -> new FaultyMessaging(hub); // does not close the shared hub
            case SQLITE -> SqliteMessaging.open(sqliteFile);
            case POSTGRES -> PostgresMessaging.open(servers.postgresUri());
            case REDIS -> RedisMessaging.connect(servers.redisUri());
            case MARIADB -> MysqlMessaging.open(servers.mariadbUri());
        };
    }

    /** The raw-driver baseline for throughput, doing the round trips this backend's storage does. */
    RawDriver raw() {
        return switch (kind) {
            case MEMORY -> new RawDriver.Memory();
            case SQLITE -> RawDriver.Jdbc.sqlite(sqliteFile);
            case POSTGRES -> RawDriver.Jdbc.postgres(servers.postgresJdbcUrl());
            case REDIS -> new RawDriver.Redis(servers.redisUri());
            case MARIADB -> RawDriver.Jdbc.mariadb(servers.mariadbJdbcUrl());
        };
    }

    /** Runs {@code work} with a storage instance, then closes it. */
    void withStorage(Consumer<Storage> work) {
        try (Storage s = storage()) {
            work.accept(s);
        }
    }

    @Override
    public void close() {
        // Servers are owned by Servers; the in-memory store needs no closing.
    }
}
