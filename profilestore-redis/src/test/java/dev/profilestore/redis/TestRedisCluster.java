package dev.profilestore.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import redis.embedded.Redis;
import redis.embedded.RedisShardedCluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.awaitility.Awaitility.await;

/**
 * A real Redis Cluster of three primaries with one replica each (redis-server 6.2 from the embedded-redis
 * artifact, joined by its {@link RedisShardedCluster}), plus what tests do to it behind the library's back: find
 * the primary of a key, kill it, wait for its replica to take over, start it again.
 *
 * <p>The failure detection is shortened at start ({@code cluster-node-timeout} {@value #NODE_TIMEOUT_MS} ms, set
 * on every node), so a failover completes in a few seconds. No node saves an RDB file when stopped: they share
 * one working directory, and a stopped primary must come back empty and resync as a replica.
 */
final class TestRedisCluster implements AutoCloseable {

    /** Long enough not to fail over a node merely slowed by a busy test machine, short enough for tests. */
    static final int NODE_TIMEOUT_MS = 1500;
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final RedisShardedCluster cluster;
    private final Map<Integer, Redis> servers = new TreeMap<>();
    private final Map<Integer, Admin> admins = new TreeMap<>();

    private TestRedisCluster(RedisShardedCluster cluster) {
        this.cluster = cluster;
        for (Redis server : cluster.servers()) {
            servers.put(server.ports().get(0), server);
        }
    }

    /** Starts three primaries with {@code replicasEach} replicas each and waits until every node reports the cluster ok. */
    static TestRedisCluster start(int replicasEach) {
        try {
            RedisShardedCluster cluster = RedisShardedCluster.newRedisCluster().ephemeral()
                    .shard("a", replicasEach).shard("b", replicasEach).shard("c", replicasEach)
                    .initializationTimeout(Duration.ofSeconds(30)).build();
            cluster.start();
            TestRedisCluster started = new TestRedisCluster(cluster);
            for (int port : started.servers.keySet()) {
                RedisCommands<String, String> admin = started.admin(port);
                admin.configSet("cluster-node-timeout", Integer.toString(NODE_TIMEOUT_MS));
                admin.configSet("save", "");
            }
            started.awaitHealthy();
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Redis Cluster", e);
        }
    }

    /** A seed URI: any node. */
    String uri() {
        return "redis://127.0.0.1:" + servers.keySet().iterator().next();
    }

    /** Every node's port, primaries and replicas. */
    List<Integer> ports() {
        return List.copyOf(servers.keySet());
    }

    /** The port of the primary that now serves {@code key}'s slot, as the first running node sees it. */
    int primaryOf(byte[] key) {
        int slot = SlotHash.getSlot(key);
        for (String line : anyLiveAdmin().clusterNodes().split("\n")) {
            String[] f = line.trim().split(" ");
            if (f[2].contains("master") && !f[2].contains("fail") && servesSlot(f, slot)) {
                return port(f);
            }
        }
        throw new IllegalStateException("no live primary serves slot " + slot);
    }

    /** Whether the node on {@code port} says it serves {@code key}'s slot itself. */
    boolean serves(int port, byte[] key) {
        int slot = SlotHash.getSlot(key);
        for (String line : admin(port).clusterNodes().split("\n")) {
            String[] f = line.trim().split(" ");
            if (f[2].contains("myself")) {
                return servesSlot(f, slot);
            }
        }
        return false;
    }

    /** Whether a CLUSTER NODES line, split at spaces, lists {@code slot} in its slot ranges. */
    private static boolean servesSlot(String[] fields, int slot) {
        for (int i = 8; i < fields.length; i++) {
            if (fields[i].startsWith("[")) {
                continue; // a slot being migrated or imported
            }
            String[] range = fields[i].split("-");
            int from = Integer.parseInt(range[0]);
            int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
            if (slot >= from && slot <= to) {
                return true;
            }
        }
        return false;
    }

    private static int port(String[] fields) {
        return Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@')));
    }

    /** The port of a replica of the primary on {@code primaryPort}. */
    int replicaOf(int primaryPort) {
        String id = admin(primaryPort).clusterMyId();
        for (String line : anyLiveAdmin().clusterNodes().split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length >= 4 && f[2].contains("slave") && f[3].equals(id) && !f[2].contains("fail")) {
                return port(f);
            }
        }
        throw new IllegalStateException("the primary on port " + primaryPort + " has no live replica");
    }

    /** Stops the node on {@code port} (the process exits; its clients see the connection close). */
    void kill(int port) {
        closeAdmin(port);
        try {
            servers.get(port).stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the node on {@code port} again; it rejoins from its cluster config file. */
    void restart(int port) {
        try {
            servers.get(port).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        admin(port).configSet("cluster-node-timeout", Integer.toString(NODE_TIMEOUT_MS));
        admin(port).configSet("save", "");
    }

    /** Waits until every running node reports {@code cluster_state:ok} and every slot has a live primary. */
    void awaitHealthy() {
        for (int port : servers.keySet()) {
            if (!servers.get(port).isActive()) {
                continue;
            }
            await("cluster ok on " + port).atMost(PATIENCE).pollInterval(Duration.ofMillis(50))
                    .ignoreExceptions().until(() -> admin(port).clusterInfo().contains("cluster_state:ok"));
        }
    }

    /** A synchronous String connection to one node, for set-up and fault injection. */
    synchronized RedisCommands<String, String> admin(int port) {
        Admin a = admins.get(port);
        if (a == null || !a.connection.isOpen()) {
            RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(port)
                    .withTimeout(Duration.ofSeconds(5)).build());
            a = new Admin(client, client.connect());
            admins.put(port, a);
        }
        return a.connection.sync();
    }

    private RedisCommands<String, String> anyLiveAdmin() {
        List<Integer> live = new ArrayList<>();
        servers.forEach((port, server) -> {
            if (server.isActive()) {
                live.add(port);
            }
        });
        return admin(live.get(0));
    }

    private synchronized void closeAdmin(int port) {
        Admin a = admins.remove(port);
        if (a != null) {
            a.close();
        }
    }

    @Override
    public void close() {
        for (int port : List.copyOf(admins.keySet())) {
            closeAdmin(port);
        }
        try {
            cluster.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Admin(RedisClient client, StatefulRedisConnection<String, String> connection) {
        void close() {
            connection.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }
}
