package dev.profilestore.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profilestore.ProfileMessage;
import dev.profilestore.SessionInfo;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One stored record, decoded by {@link ProfileRecords#decode}: the profile's data as stored, its session lock and
 * bookkeeping, and its pending messages.
 *
 * <p>A <em>message box</em> is the record of a key that has never had a session but was sent messages: it holds only
 * {@link #messages}; its data is a missing node, its numbers are 0, its times {@link Instant#EPOCH}, and it has no
 * lock, user ids or metadata. The JSON trees are the decoder's own, not shared with any store.
 *
 * @param messageBox whether the record only holds messages (sent to a key that has never had a session)
 * @param data the data document as stored, before any migration of the store's format versions
 * @param dataVersion the data format version the data was saved with
 * @param loadCount how many sessions have been started on it: the epoch of the latest
 * @param createdAt when its first session created it, by that server's clock
 * @param lastUpdateAt when a session last saved it, by that server's clock
 * @param lock the session holding it, if one does
 * @param takeover a request by another session to be handed the profile, if one is pending
 * @param messages the messages not yet processed, oldest first
 * @param userIds the user ids tied to it for erasure requests, ascending
 * @param metadata user metadata
 */
public record StoredProfile(boolean messageBox, JsonNode data, int dataVersion, long loadCount, Instant createdAt,
                            Instant lastUpdateAt, Optional<SessionInfo> lock, Optional<TakeoverRequest> takeover,
                            List<ProfileMessage> messages, List<Long> userIds, ObjectNode metadata) {

    /** Checks that every field is present and makes the lists unmodifiable. */
    public StoredProfile {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(lastUpdateAt, "lastUpdateAt");
        Objects.requireNonNull(lock, "lock");
        Objects.requireNonNull(takeover, "takeover");
        messages = List.copyOf(messages);
        userIds = List.copyOf(userIds);
        Objects.requireNonNull(metadata, "metadata");
    }

    /**
     * A pending request to be handed a held profile. The holder saves and releases when it sees one; until then, or
     * after a release, only the requesting session may take the lock (the last request wins).
     *
     * @param appId the requesting application
     * @param serverId the requesting server
     * @param sessionId the requesting session
     * @param at when it asked, by its server's clock
     */
    public record TakeoverRequest(String appId, String serverId, String sessionId, Instant at) {

        /** Checks that every field is present. */
        public TakeoverRequest {
            Objects.requireNonNull(appId, "appId");
            Objects.requireNonNull(serverId, "serverId");
            Objects.requireNonNull(sessionId, "sessionId");
            Objects.requireNonNull(at, "at");
        }
    }
}
