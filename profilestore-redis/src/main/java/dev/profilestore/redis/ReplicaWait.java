package dev.profilestore.redis;

import dev.profilestore.redis.internal.LuaScript;
import dev.profilestore.StorageException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Runs a mutating script followed by {@code WAIT replicas timeout}, both handed to the connection of the node that
 * owns the script's keys in one dispatch.
 *
 * <p>Why one dispatch on that very connection: {@code WAIT} counts the replicas that have every write <em>this
 * client connection</em> made so far. Sent on another connection (a Cluster's default node, or the same logical
 * connection after a reconnect) it would count nothing of ours and answer at once, acknowledging a write no
 * replica has. Dispatched together, both commands go down one socket in order or, when the socket breaks, both
 * fail, and neither is replayed after a reconnect (the client options filter every command out of the replay).
 *
 * <p>A write confirmed by fewer replicas than asked fails with a {@link StorageException}: it may or may not
 * survive a failover, as for any write whose outcome is unknown. A normally completing future therefore means the
 * write is on the primary and on {@code replicas} replicas.
 */
final class ReplicaWait {

    /** Finds the connection of the node owning a key (a Cluster) or the only connection (standalone, Sentinel). */
    interface Nodes {
        /** The connection to the primary that owns {@code key}. */
        CompletableFuture<StatefulRedisConnection<byte[], byte[]>> forKey(byte[] key);

        /** Called when a node answered as if the topology moved (MOVED, ASK, a dead connection). */
        void topologyMayHaveChanged();
    }

    private static final ByteArrayCodec CODEC = ByteArrayCodec.INSTANCE;

    private final int replicas;
    private final long timeoutMillis;
    private final Nodes nodes;

    ReplicaWait(int replicas, long timeoutMillis, Nodes nodes) {
        this.replicas = replicas;
        this.timeoutMillis = timeoutMillis;
        this.nodes = nodes;
    }

    /** Runs the script by digest (by source after a NOSCRIPT) and waits for the replicas. */
    <T> CompletableFuture<T> eval(LuaScript script, ScriptOutputType type, byte[][] keys, byte[][] args, String what) {
        return this.<T>run(script, type, keys, args, what, false).handle((value, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(value);
            }
            Throwable cause = unwrap(error);
            if (cause instanceof RedisNoScriptException) {
                return this.<T>run(script, type, keys, args, what, true);
            }
            return CompletableFuture.<T>failedFuture(cause);
        }).thenCompose(f -> f);
    }

    private <T> CompletableFuture<T> run(LuaScript script, ScriptOutputType type, byte[][] keys, byte[][] args,
            String what, boolean bySource) {
        return nodes.forKey(keys[0]).thenCompose(connection -> {
            CommandArgs<byte[], byte[]> evalArgs = new CommandArgs<>(CODEC);
            if (bySource) {
                evalArgs.add(script.source());
            } else {
                evalArgs.add(script.sha1());
            }
            evalArgs.add(keys.length).addKeys(keys).addValues(args);
            AsyncCommand<byte[], byte[], T> eval = new AsyncCommand<>(
                    new Command<>(bySource ? CommandType.EVAL : CommandType.EVALSHA, output(type), evalArgs));
            AsyncCommand<byte[], byte[], Long> wait = new AsyncCommand<>(new Command<>(CommandType.WAIT,
                    new IntegerOutput<>(CODEC), new CommandArgs<>(CODEC).add(replicas).add(timeoutMillis)));
            List<RedisCommand<byte[], byte[], ?>> batch = List.of(eval, wait);
            connection.dispatch(batch);
            return eval.toCompletableFuture().handle((value, error) -> {
                if (error != null) {
                    Throwable cause = unwrap(error);
                    if (movedOrBroken(cause)) {
                        nodes.topologyMayHaveChanged();
                    }
                    return CompletableFuture.<T>failedFuture(cause);
                }
                return wait.toCompletableFuture().handle((count, waitError) -> {
                    if (waitError != null) {
                        throw new StorageException(what + ": ran on the primary, but whether " + replicas
                                + " replica(s) have it is unknown: " + unwrap(waitError).getMessage(), unwrap(waitError));
                    }
                    if (count < replicas) {
                        throw new StorageException(what + ": ran on the primary, but only " + count + " of "
                                + replicas + " replica(s) confirmed it within " + timeoutMillis
                                + " ms; a failover may lose it");
                    }
                    return value;
                });
            }).thenCompose(f -> f);
        });
    }

    @SuppressWarnings("unchecked")
    private static <T> CommandOutput<byte[], byte[], T> output(ScriptOutputType type) {
        return (CommandOutput<byte[], byte[], T>) switch (type) {
            case INTEGER -> new IntegerOutput<>(CODEC);
            case MULTI -> new NestedMultiOutput<>(CODEC);
            default -> throw new IllegalArgumentException("no output for " + type);
        };
    }

    private static boolean movedOrBroken(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        return message.startsWith("MOVED") || message.startsWith("ASK") || message.startsWith("CLUSTERDOWN")
                || !(cause instanceof io.lettuce.core.RedisCommandExecutionException);
    }

    /** The cause of a future's failure, without the {@code CompletionException} that carries it. */
    static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
