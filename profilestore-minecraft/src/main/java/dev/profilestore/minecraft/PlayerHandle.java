package dev.profilestore.minecraft;

import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * What the policy needs of a platform's player: a platform binding wraps its own player type in one.
 */
public interface PlayerHandle {

    /** The player's UUID: the profile key is derived from it. */
    UUID id();

    /** The player's name, for log lines. */
    String name();

    /** Whether the connection is still open; polled (cheaply) while the profile loads. */
    boolean connected();

    /**
     * The executor that owns this player: the profile's callbacks and save snapshots run on it (see
     * {@link dev.profilestore.SessionOptions#withCallbackExecutor(Executor)}).
     */
    Executor executor();

    /** Disconnects the player with a message; called on {@link #executor()}. */
    void kick(String message);
}
