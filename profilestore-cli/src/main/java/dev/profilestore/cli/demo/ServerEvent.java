package dev.profilestore.cli.demo;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.profilestore.cli.Output;

import java.util.Optional;

/**
 * What a game server tells the demo about itself: the protocol of {@code demo --processes}, where each server is
 * a child JVM that writes one event per line on its standard output ({@link #PREFIX} then one JSON object), and the
 * parent reads them. The parent's own final load produces the same events in process.
 *
 * <p>Acknowledgements ({@link Saved}) are written only after the store accepted the write, so a server killed
 * with SIGKILL can lose an unacknowledged change, never an acknowledged one: that is what the audit checks. The
 * changes themselves ({@link Applied}) carry their chain values, so the audit can rebuild each profile's history
 * in whatever order lines from different processes arrive.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "event")
@JsonSubTypes({@JsonSubTypes.Type(value = ServerEvent.Ready.class, name = "ready"),
        @JsonSubTypes.Type(value = ServerEvent.Started.class, name = "started"),
        @JsonSubTypes.Type(value = ServerEvent.NotStarted.class, name = "not_started"),
        @JsonSubTypes.Type(value = ServerEvent.Applied.class, name = "applied"),
        @JsonSubTypes.Type(value = ServerEvent.Saved.class, name = "saved"),
        @JsonSubTypes.Type(value = ServerEvent.Ended.class, name = "ended"),
        @JsonSubTypes.Type(value = ServerEvent.Traded.class, name = "traded"),
        @JsonSubTypes.Type(value = ServerEvent.DuplicateBlocked.class, name = "duplicate_blocked"),
        @JsonSubTypes.Type(value = ServerEvent.StoreError.class, name = "store_error"),
        @JsonSubTypes.Type(value = ServerEvent.Writes.class, name = "writes"),
        @JsonSubTypes.Type(value = ServerEvent.Stopped.class, name = "stopped")})
public sealed interface ServerEvent {

    /** Starts every event line; other lines on a server's standard output are not events. */
    String PREFIX = "EV ";

    /**
     * The server's store is open and it takes commands.
     *
     * @param server the server id
     */
    record Ready(String server) implements ServerEvent {}

    /**
     * A session started.
     *
     * @param key the profile
     * @param attempt the parent's join attempt this answers
     * @param epoch the session's fencing epoch
     * @param ops changes in the loaded document
     * @param chain the loaded document's chain
     * @param coins the loaded document's coins
     * @param micros from the join command to the session start
     */
    record Started(String key, int attempt, long epoch, long ops, long chain, long coins, long micros)
            implements ServerEvent {}

    /**
     * A session did not start.
     *
     * @param key the profile
     * @param attempt the parent's join attempt this answers
     * @param reason why
     */
    record NotStarted(String key, int attempt, String reason) implements ServerEvent {}

    /**
     * A change was applied in memory.
     *
     * @param key the profile
     * @param epoch the session that made it
     * @param before the document's chain before the change
     * @param op the change
     * @param ops changes in the document after it
     * @param chain the document's chain after it
     */
    record Applied(String key, long epoch, long before, Op op, long ops, long chain) implements ServerEvent {}

    /**
     * The store acknowledged a save.
     *
     * @param key the profile
     * @param epoch the session that saved
     * @param ops changes in the saved document
     * @param chain the saved document's chain
     * @param released whether this was the session's last save, which released the lock
     */
    record Saved(String key, long epoch, long ops, long chain, boolean released) implements ServerEvent {}

    /**
     * A session ended.
     *
     * @param key the profile
     * @param epoch the session
     * @param reason why ({@link dev.profilestore.SessionEndReason} name)
     */
    record Ended(String key, long epoch, String reason) implements ServerEvent {}

    /**
     * A trade between two profiles of the server finished.
     *
     * @param committed whether the atomic commit was accepted (else nothing of it was stored)
     */
    record Traded(boolean committed) implements ServerEvent {}

    /**
     * The purchase handler recognised a receipt it had granted and did not grant it again.
     *
     * @param receipt the receipt id
     */
    record DuplicateBlocked(String receipt) implements ServerEvent {}

    /**
     * The store reported an error to the server.
     *
     * @param message what
     */
    record StoreError(String message) implements ServerEvent {}

    /**
     * The store writes this server made so far (sent every second, and before its last saves).
     *
     * @param total writes since the server started
     */
    record Writes(long total) implements ServerEvent {}

    /** The server closed its store (every session ended with a last save) and exits. */
    record Stopped() implements ServerEvent {}

    /** The event as one protocol line. */
    default String toLine() {
        try {
            return PREFIX + Output.PLAIN.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write an event", e);
        }
    }

    /**
     * Parses a protocol line.
     *
     * @return the event, or empty when the line is not an event
     * @throws IllegalArgumentException when it starts like an event but is not one
     */
    static Optional<ServerEvent> parse(String line) {
        if (!line.startsWith(PREFIX)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Output.PLAIN.readValue(line.substring(PREFIX.length()), ServerEvent.class));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed event line: " + line, e);
        }
    }
}
