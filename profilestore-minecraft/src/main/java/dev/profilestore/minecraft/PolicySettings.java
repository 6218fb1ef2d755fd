package dev.profilestore.minecraft;

import java.time.Duration;
import java.util.Objects;

/**
 * How the {@link PlayerSessions} policy behaves and what it tells players.
 *
 * @param loginTimeout how long a login may wait for the profile (the previous server's last save included)
 *     before it is refused
 * @param handoffGrace how long a player may stay on this server after another server took the profile over
 *     (a proxy that connects to the next server first disconnects the player from this one within it); a player
 *     still here after it is kicked
 * @param messages what players read when they are refused or kicked
 */
public record PolicySettings(Duration loginTimeout, Duration handoffGrace, Messages messages) {

    /** Validates the fields. */
    public PolicySettings {
        Objects.requireNonNull(messages, "messages");
        if (loginTimeout.isNegative() || loginTimeout.isZero() || handoffGrace.isNegative()) {
            throw new IllegalArgumentException("loginTimeout must be positive and handoffGrace not negative");
        }
    }

    /** A 10 s login timeout, a 3 s hand-off grace and the default messages. */
    public static PolicySettings defaults() {
        return new PolicySettings(Duration.ofSeconds(10), Duration.ofSeconds(3), Messages.defaults());
    }

    /** These settings with another login timeout. */
    public PolicySettings withLoginTimeout(Duration timeout) {
        return new PolicySettings(timeout, handoffGrace, messages);
    }

    /** These settings with another hand-off grace. */
    public PolicySettings withHandoffGrace(Duration grace) {
        return new PolicySettings(loginTimeout, grace, messages);
    }

    /**
     * What players read.
     *
     * @param closing the login is refused because the server is shutting down
     * @param notLoaded the login is refused because the profile could not be loaded in time
     * @param taken the login is refused because a later login of the same player (here or elsewhere) took over
     * @param tooNew the login is refused because the profile was saved by a newer version of the game
     * @param lost the player is kicked because the session was found lost (another server holds the profile)
     * @param movedAway the player is kicked because another server took the profile over and the player stayed
     * @param shutdown the player is kicked because the server shuts down (the profile is saved)
     * @param unsaved the player is kicked because the last changes could not be saved
     */
    public record Messages(String closing, String notLoaded, String taken, String tooNew, String lost,
                           String movedAway, String shutdown, String unsaved) {

        /** Plain English messages. */
        public static Messages defaults() {
            return new Messages(
                    "This server is shutting down. Please join another one.",
                    "Your profile could not be loaded in time. Please try again.",
                    "Your profile is being loaded by another login. Please try again.",
                    "Your profile was saved by a newer version of the game.",
                    "Your profile was taken over by another server; changes since your last save were not kept. "
                            + "Please reconnect.",
                    "Your profile is now open on another server.",
                    "This server is shutting down. Your profile is saved.",
                    "Your last changes could not be saved. Please reconnect.");
        }
    }
}
