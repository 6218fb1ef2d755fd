package dev.profilestore.minestom;

import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.minecraft.LoginResult;
import dev.profilestore.minecraft.PlayerMessageHandler;
import dev.profilestore.minecraft.PlayerSessions;
import dev.profilestore.minecraft.PolicySettings;
import net.kyori.adventure.text.Component;
import net.minestom.server.MinecraftServer;
import net.minestom.server.entity.Player;
import net.minestom.server.event.EventNode;
import net.minestom.server.event.player.AsyncPlayerConfigurationEvent;
import net.minestom.server.event.player.PlayerDisconnectEvent;
import net.minestom.server.event.trait.PlayerEvent;
import net.minestom.server.network.packet.server.common.TransferPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Binds a Minestom server to the {@link PlayerSessions} policy: the profile loads while the player is in the
 * configuration phase (a refused login is kicked with the reason), belongs to the player's tick thread, is saved
 * on disconnect and before a transfer, and the store closes with the server.
 *
 * <pre>{@code
 * var profiles = MinestomProfiles.bind(store);             // after MinecraftServer.init()
 * profiles.change(player, data -> data.coins++);           // on the player's thread: false when refused
 * profiles.transfer(player, "127.0.0.1", 25566);           // save, release, then the transfer packet
 * }</pre>
 *
 * @param <T> the profile data type
 */
public final class MinestomProfiles<T> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MinestomProfiles.class);

    private final PlayerSessions<T> sessions;
    private final EventNode<PlayerEvent> events;

    private MinestomProfiles(PlayerSessions<T> sessions) {
        this.sessions = sessions;
        this.events = EventNode.type("profilestore", net.minestom.server.event.EventFilter.PLAYER);
        events.addListener(AsyncPlayerConfigurationEvent.class, this::onConfiguration);
        events.addListener(PlayerDisconnectEvent.class, e -> sessions.quitAsync(new MinestomPlayer(e.getPlayer())));
    }

    /** Binds {@code store} with the default policy settings; see {@link #bind(ProfileStore, PolicySettings)}. */
    public static <T> MinestomProfiles<T> bind(ProfileStore<T> store) {
        return bind(store, PolicySettings.defaults());
    }

    /**
     * Binds {@code store} to the running Minestom server: call after {@code MinecraftServer.init()}. The store is
     * closed (every profile saved) when the server stops.
     *
     * @param store the store of player profiles; the binding owns it from now on
     * @param settings the policy's timeouts and messages
     * @return the binding
     */
    public static <T> MinestomProfiles<T> bind(ProfileStore<T> store, PolicySettings settings) {
        var binding = new MinestomProfiles<>(new PlayerSessions<>(store, settings));
        MinecraftServer.getGlobalEventHandler().addChild(binding.events);
        MinecraftServer.getSchedulerManager().buildShutdownTask(binding::close);
        return binding;
    }

    /** Runs on a virtual thread of Minestom's while the player is configured: blocking here holds the join. */
    private void onConfiguration(AsyncPlayerConfigurationEvent event) {
        if (!event.isFirstConfig()) {
            return;
        }
        Player player = event.getPlayer();
        LoginResult<T> result = sessions.loginAsync(new MinestomPlayer(player)).join();
        if (result instanceof LoginResult.Refused<T> refused) {
            log.info("refused the login of {}: {}", player.getUsername(), refused.detail());
            player.kick(Component.text(refused.message()));
        }
    }

    /**
     * Adds a handler for online players' durable messages; it runs on the player's tick thread.
     *
     * @param handler the handler
     * @return this binding
     */
    public MinestomProfiles<T> onMessage(PlayerMessageHandler<T> handler) {
        sessions.onMessage(handler);
        return this;
    }

    /** The player's active profile; call on the player's thread. Empty while loading, leaving, or lost. */
    public Optional<Profile<T>> profile(Player player) {
        return sessions.profile(new MinestomPlayer(player));
    }

    /**
     * Changes the player's data, on the player's thread, if the change will be saved.
     *
     * @param player the player
     * @param change the change
     * @return false when refused: the profile is not (or no longer) this server's; tell the player
     */
    public boolean change(Player player, Consumer<T> change) {
        return sessions.change(new MinestomPlayer(player), change);
    }

    /**
     * Sends the player to another server with the transfer packet (Minecraft 1.20.5+), once the profile's last save
     * here has landed, so the next server loads it at once. A failed last save (the session was lost) kicks instead.
     *
     * @param player the player
     * @param host the next server's host
     * @param port the next server's port
     * @return completes when the transfer packet was sent
     */
    public CompletableFuture<Void> transfer(Player player, String host, int port) {
        return sessions.hopAsync(new MinestomPlayer(player))
                .thenRun(() -> player.getPlayerConnection().sendPacket(new TransferPacket(host, port)));
    }

    /**
     * How long the player's profile took to load at login: what the store added to the join or hop.
     *
     * @param player the player
     * @return the load time, or empty when the player has no loaded profile here
     */
    public Optional<java.time.Duration> loadTime(Player player) {
        return sessions.loadTime(new MinestomPlayer(player));
    }

    /** The platform-neutral policy underneath. */
    public PlayerSessions<T> sessions() {
        return sessions;
    }

    /** Unbinds the events and closes the store (every online profile saved). Idempotent. */
    @Override
    public void close() {
        MinecraftServer.getGlobalEventHandler().removeChild(events);
        sessions.close();
    }
}
