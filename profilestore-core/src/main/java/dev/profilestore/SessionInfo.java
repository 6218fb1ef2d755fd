package dev.profilestore;

import java.time.Instant;
import java.util.Objects;

/**
 * Who holds a profile's session lock.
 *
 * @param appId the application (Roblox's PlaceId); servers of one application share profiles
 * @param serverId the server instance (Roblox's JobId); random per process unless configured
 * @param sessionId unique per session, so two sessions of one server are told apart
 * @param epoch the fencing token: it grows every time any server acquires the profile, never repeats for
 *     a key (not after removal, erasure, a corrupt value's replacement or an import either: it is derived from
 *     the storage's revision, which only increases), and every write is conditional on the session. Attach
 *     it to side effects outside the store so they can be fenced too. It is not a count of sessions.
 * @param since when the session started, by the holder's wall clock (informational only)
 * @param leaseId the server lease this session lives by: one per running store instance, so two stores of
 *     one process, or a restarted server that reuses its server id, never share one
 */
public record SessionInfo(String appId, String serverId, String sessionId, long epoch, Instant since, String leaseId) {

    /** Validates the fields. */
    public SessionInfo {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(leaseId, "leaseId");
    }
}
