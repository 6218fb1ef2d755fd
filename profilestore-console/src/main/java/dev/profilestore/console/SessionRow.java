package dev.profilestore.console;

import java.time.Duration;
import java.time.Instant;

/**
 * A held profile, as the sessions page lists it.
 *
 * @param key the profile key
 * @param serverId the holder's server
 * @param sessionId the holder's session
 * @param epoch the session's fencing epoch
 * @param since when the session started, by the holder's clock
 * @param leaseId the server lease the session lives by
 * @param leaseLeft how long that lease has left by the store's clock (zero: run out)
 * @param takeoverBy a server waiting to be handed the profile, or null
 */
record SessionRow(String key, String serverId, String sessionId, long epoch, Instant since, String leaseId,
                  Duration leaseLeft, String takeoverBy) {}
