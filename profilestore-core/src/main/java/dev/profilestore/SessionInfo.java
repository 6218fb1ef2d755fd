package dev.profilestore;

import java.time.Instant;
import java.util.Objects;

/**
 * Who holds a profile's session lock.
 *
 * @param appId the application (Roblox's PlaceId); servers of one application share profiles
 * @param serverId the server instance (Roblox's JobId); random per process unless configured
 * @param sessionId unique per session, so two sessions of one server are told apart
 * @param epoch the fencing token: it grows by one every time any server acquires the profile, and
 *     every write is conditional on it. Attach it to side effects outside the store so they can be
 *     fenced too.
 * @param since when the session started, by the holder's wall clock (informational only)
 */
public record SessionInfo(String appId, String serverId, String sessionId, long epoch, Instant since) {

    /** Validates the fields. */
    public SessionInfo {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(since, "since");
    }
}
