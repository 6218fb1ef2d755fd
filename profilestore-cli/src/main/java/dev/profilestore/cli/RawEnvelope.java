package dev.profilestore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A stored record's envelope, read with plain Jackson for the operator commands.
 *
 * <p>Interim: the layout is owned by the engine's {@code EnvelopeCodec} (profilestore-core,
 * {@code dev.profilestore.engine.EnvelopeCodec}), which is internal. This reader follows that layout
 * ({@code format}, {@code data}, {@code dataVersion}, {@code meta.lock}, {@code meta.takeover},
 * {@code messages.items}, {@code userIds}, {@code metadata}) and must change with it; a public decoder in core
 * would replace it.
 *
 * @param tree the whole record as JSON
 * @param messageBox whether the record only holds messages (sent to a key that never had a session)
 * @param lock the session lock, if held
 * @param takeover a pending request by another server, if any
 * @param pending the messages not yet processed
 */
public record RawEnvelope(ObjectNode tree, boolean messageBox, Optional<Lock> lock, Optional<Takeover> takeover,
                          List<Pending> pending) {

    /** The marker every record of this library carries. */
    public static final String FORMAT = "profilestore/1";

    /**
     * The session lock.
     *
     * @param appId application id
     * @param serverId holder server id
     * @param sessionId session id
     * @param epoch fencing epoch
     * @param since when the session started, by the holder's clock
     */
    public record Lock(String appId, String serverId, String sessionId, long epoch, Instant since) {}

    /**
     * A pending takeover request.
     *
     * @param serverId requesting server
     * @param at when it asked, by its clock
     */
    public record Takeover(String serverId, Instant at) {}

    /**
     * An unprocessed message.
     *
     * @param id message id
     * @param body the message
     */
    public record Pending(long id, JsonNode body) {}

    /**
     * Parses a payload.
     *
     * @throws CliException when it is not a record of this library, naming what is wrong
     */
    public static RawEnvelope parse(ObjectMapper mapper, String what, byte[] payload) {
        JsonNode root;
        try {
            root = mapper.readTree(payload);
        } catch (IOException e) {
            throw new CliException(what + " is not JSON (a foreign or corrupt value): " + StoreUri.firstLine(e.getMessage()));
        }
        if (!(root instanceof ObjectNode obj) || !FORMAT.equals(obj.path("format").asText(null))) {
            throw new CliException(what + " is not a ProfileStore record (no \"format\": \"" + FORMAT + "\" marker)");
        }
        JsonNode meta = obj.get("meta");
        Optional<Lock> lock = Optional.empty();
        Optional<Takeover> takeover = Optional.empty();
        if (meta != null && meta.hasNonNull("lock")) {
            JsonNode l = meta.get("lock");
            lock = Optional.of(new Lock(l.path("appId").asText(), l.path("serverId").asText(), l.path("sessionId").asText(),
                    l.path("epoch").asLong(), Instant.ofEpochMilli(l.path("sinceMs").asLong())));
        }
        if (meta != null && meta.hasNonNull("takeover")) {
            JsonNode t = meta.get("takeover");
            takeover = Optional.of(new Takeover(t.path("serverId").asText(), Instant.ofEpochMilli(t.path("atMs").asLong())));
        }
        List<Pending> pending = new ArrayList<>();
        for (JsonNode m : obj.path("messages").path("items")) {
            pending.add(new Pending(m.path("id").asLong(), m.path("body")));
        }
        return new RawEnvelope(obj, meta == null, lock, takeover, List.copyOf(pending));
    }

    /** The profile data, or a missing node for a message box. */
    public JsonNode data() {
        return tree.path("data");
    }

    /** The meta object, or a missing node. */
    public JsonNode meta() {
        return tree.path("meta");
    }

    /** A copy of this record's JSON with the lock and any takeover request removed. */
    public ObjectNode withoutLock() {
        ObjectNode copy = tree.deepCopy();
        if (copy.get("meta") instanceof ObjectNode m) {
            m.remove("lock");
            m.remove("takeover");
        }
        return copy;
    }

    /** The user ids tied to the profile. */
    public List<Long> userIds() {
        List<Long> ids = new ArrayList<>();
        tree.path("userIds").forEach(n -> ids.add(n.asLong()));
        return ids;
    }
}
