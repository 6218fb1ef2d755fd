package dev.profilestore.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.profilestore.ProfileMessage;
import dev.profilestore.SessionInfo;
import dev.profilestore.admin.StoredProfile;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The engine side of {@link dev.profilestore.admin.ProfileRecords}. Public only because Java has no friend packages:
 * it keeps {@link Envelope} and {@link EnvelopeCodec} package-private while the admin API reads records with them.
 * Not API; use {@code ProfileRecords}.
 */
public final class RecordAccess {

    /**
     * A plain mapper, not a store's: a record's data is decoded as a JSON tree, never bound to the store's data type,
     * so no user modules are needed.
     */
    private static final EnvelopeCodec CODEC = new EnvelopeCodec(new ObjectMapper());

    private RecordAccess() {}

    /** See {@link dev.profilestore.admin.ProfileRecords#decode}. */
    public static StoredProfile decode(byte[] payload) {
        Envelope env = CODEC.decode(payload);
        List<ProfileMessage> messages = env.messages.stream().map(m -> new ProfileMessage(m.id(), m.body())).toList();
        Envelope.Meta meta = env.isMessageBox() ? new Envelope.Meta() : env.meta;
        Optional<SessionInfo> lock = Optional.ofNullable(meta.lock).map(Envelope.Lock::info);
        Optional<StoredProfile.TakeoverRequest> takeover = Optional.ofNullable(meta.takeover).map(t ->
                new StoredProfile.TakeoverRequest(t.appId(), t.serverId(), t.sessionId(), Instant.ofEpochMilli(t.atMs())));
        return new StoredProfile(env.isMessageBox(), env.isMessageBox() ? MissingNode.getInstance() : env.data,
                env.dataVersion, meta.loadCount, Instant.ofEpochMilli(meta.createdMs), Instant.ofEpochMilli(meta.lastUpdateMs),
                lock, takeover, messages, List.copyOf(env.userIds), env.metadata);
    }

    /** See {@link dev.profilestore.admin.ProfileRecords#newProfile}. */
    public static byte[] newProfile(JsonNode data, int dataVersion, java.util.Set<Long> userIds, Instant firstSession,
            Instant now, byte[] replaced) {
        Envelope previous = null;
        if (replaced != null) {
            try {
                previous = CODEC.decode(replaced);
            } catch (dev.profilestore.ProfileStoreException e) {
                previous = null; // not ours: nothing of it to keep in the new record (it is kept as a version)
            }
        }
        // As a session start creates a profile over a message box or a replaced value: its messages stay pending.
        Envelope env = Envelope.freshProfile(previous, firstSession.toEpochMilli(), dataVersion);
        env.meta.lastUpdateMs = now.toEpochMilli();
        env.data = data;
        env.userIds.addAll(userIds);
        return CODEC.encode(env, null);
    }

    /** See {@link dev.profilestore.admin.ProfileRecords#withoutLock}. */
    public static byte[] withoutLock(byte[] payload) {
        Envelope env = CODEC.decode(payload);
        if (!env.isMessageBox()) {
            // As the engine's own overwrite does: a takeover request left behind would reserve the profile for a
            // session that may be gone.
            env.meta.lock = null;
            env.meta.takeover = null;
        }
        return CODEC.encode(env, null);
    }
}
