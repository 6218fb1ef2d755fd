package dev.profilestore.minecraft;

import dev.profilestore.Profile;
import dev.profilestore.ProfileMessage;

/**
 * Receives an online player's durable messages (gifts, mail), on the player's executor.
 *
 * @param <T> the profile data type
 */
@FunctionalInterface
public interface PlayerMessageHandler<T> {

    /**
     * Handles one message: change {@code profile.data()} and call {@code processed.run()} before returning for an
     * exactly-once effect (see {@link dev.profilestore.MessageHandler}).
     *
     * @param player the player
     * @param profile the player's profile
     * @param message the message
     * @param processed marks the message handled
     */
    void handle(PlayerHandle player, Profile<T> profile, ProfileMessage message, Runnable processed);
}
