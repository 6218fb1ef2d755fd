package dev.profilestore.redis;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Reads Redis's persistence settings at start-up and logs what a crash or restart of Redis would lose.
 * {@code CONFIG GET} is often disabled or renamed on managed services; then {@code INFO persistence}
 * tells whether AOF is on, and the RDB schedule stays unknown.
 */
final class PersistenceCheck {

    private static final Logger log = LoggerFactory.getLogger(RedisStorage.class);

    private final RedisClusterAsyncCommands<byte[], byte[]> redis;
    private final String description;
    private final Duration timeout;

    PersistenceCheck(RedisClusterAsyncCommands<byte[], byte[]> redis, String description, Duration timeout) {
        this.redis = redis;
        this.description = description;
        this.timeout = timeout;
    }

    /** What was learnt: {@code aof} and {@code rdb} are empty when unknown. */
    record Result(Optional<Boolean> aof, Optional<String> appendfsync, Optional<Boolean> rdb) {}

    Result run() {
        Result r = inspect();
        report(r);
        return r;
    }

    private Result inspect() {
        try {
            // One parameter per CONFIG GET: Redis before 7.0 reads only the first.
            Map<String, String> cfg = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            var appendonly = redis.configGet("appendonly");
            var appendfsync = redis.configGet("appendfsync");
            var save = redis.configGet("save");
            for (var f : List.of(appendonly, appendfsync, save)) {
                cfg.putAll(f.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            }
            if (cfg.containsKey("appendonly")) {
                return new Result(Optional.of("yes".equalsIgnoreCase(cfg.get("appendonly"))),
                        Optional.ofNullable(cfg.get("appendfsync")),
                        Optional.ofNullable(cfg.get("save")).map(s -> !s.isBlank()));
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return new Result(Optional.empty(), Optional.empty(), Optional.empty());
            }
            log.debug("CONFIG GET refused by Redis at {}: {}", description, e.toString());
        }
        try {
            String info = redis.info("persistence").get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            for (String line : info.split("\r?\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("aof_enabled:")) {
                    return new Result(Optional.of(line.trim().endsWith(":1")), Optional.empty(), Optional.empty());
                }
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.debug("INFO persistence refused by Redis at {}: {}", description, e.toString());
        }
        return new Result(Optional.empty(), Optional.empty(), Optional.empty());
    }

    private void report(Result r) {
        if (r.aof().isEmpty()) {
            log.info("Could not read the persistence settings of Redis at {} (CONFIG GET and INFO refused). Saves survive a"
                    + " Redis restart only with appendonly yes (appendfsync everysec or always).", description);
            return;
        }
        boolean aof = r.aof().get();
        if (aof) {
            String fsync = r.appendfsync().orElse("unknown");
            if ("no".equalsIgnoreCase(fsync)) {
                log.warn("Redis at {} has appendonly yes but appendfsync no: a machine crash can lose the last ~30 s of"
                        + " acknowledged saves. Use appendfsync everysec or always.", description);
            } else {
                log.info("Redis at {} persists with AOF (appendfsync {}).", description, fsync);
            }
        } else if (r.rdb().isEmpty()) {
            log.warn("Redis at {} has AOF off (appendonly no) and its RDB schedule is unknown: a crash loses every save"
                    + " since the last snapshot, or all of them. Set appendonly yes with appendfsync everysec or always.",
                    description);
        } else if (r.rdb().get()) {
            log.warn("Redis at {} persists only RDB snapshots (appendonly no): a crash loses every acknowledged save since"
                    + " the last snapshot. Set appendonly yes with appendfsync everysec or always.", description);
        } else {
            log.warn("Redis at {} persists nothing (appendonly no, save \"\"): a restart of Redis loses every profile."
                    + " Set appendonly yes with appendfsync everysec or always.", description);
        }
    }
}
