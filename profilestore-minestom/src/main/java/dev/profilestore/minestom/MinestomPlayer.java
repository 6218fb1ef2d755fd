package dev.profilestore.minestom;

import dev.profilestore.minecraft.PlayerHandle;
import net.kyori.adventure.text.Component;
import net.minestom.server.entity.Player;

import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * A Minestom player as the policy sees it. Its executor runs a task on the calling thread while holding the
 * player's tick thread ({@code player.acquirable().sync}): exclusive of the player's own ticks, events and
 * commands, and without waiting for the next tick.
 */
final class MinestomPlayer implements PlayerHandle {

    private final Player player;
    private final Executor executor;

    MinestomPlayer(Player player) {
        this.player = player;
        this.executor = task -> player.acquirable().sync(p -> task.run());
    }

    @Override
    public UUID id() {
        return player.getUuid();
    }

    @Override
    public String name() {
        return player.getUsername();
    }

    @Override
    public boolean connected() {
        return player.getPlayerConnection().isOnline();
    }

    @Override
    public Executor executor() {
        return executor;
    }

    /** The same connection: the same Minestom player object (a reconnect makes a new one). */
    @Override
    public boolean equals(Object o) {
        return o instanceof MinestomPlayer other && other.player == player;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(player);
    }

    @Override
    public void kick(String message) {
        // Called inside the store's task, which holds the player's tick thread: a player in the world is kicked at
        // its next tick instead, outside that lock, since a kick runs Minestom's own removal and its events.
        if (player.getInstance() != null && !player.isRemoved()) {
            player.scheduler().scheduleNextTick(() -> player.kick(Component.text(message)));
        } else {
            player.kick(Component.text(message));
        }
    }
}
