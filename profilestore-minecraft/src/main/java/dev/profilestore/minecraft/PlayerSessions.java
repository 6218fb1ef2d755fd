package dev.profilestore.minecraft;

import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.SessionEndReason;
import dev.profilestore.SessionOptions;
import dev.profilestore.SessionStart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The player-session policy of a Minecraft server, whatever the platform: a binding calls {@link #loginAsync} while
 * the player logs in, {@link #quitAsync} when the player leaves, {@link #hopAsync} before sending the player to another
 * server, and {@link #close} on shutdown; the game reads and changes profiles with {@link #change} on the player's
 * thread.
 *
 * <p>The rules it keeps:
 * <ul>
 * <li>The session starts while the player logs in, on the player's own executor, and gives up when the player
 *     disconnects or the login timeout passes; a login whose profile does not load is refused with a reason.</li>
 * <li>A hop in either order is safe. Leaving first ({@link #hopAsync}, then the transfer packet; or a proxy that
 *     disconnects first): the last save lands before the player is sent on, so the next server loads at once.
 *     Joining the next server first (a proxy that connects first): the next server asks for the profile, this
 *     one saves and releases it ({@link SessionEndReason#EXTERNAL}) and does not kick the player, who is on the way
 *     out; one still here after the hand-off grace is kicked.</li>
 * <li>A session found {@link SessionEndReason#LOST} kicks the player at once: it is another server's now.</li>
 * <li>No change is silently accepted once the last save is under way: {@link #change} refuses it and says so.</li>
 * </ul>
 *
 * @param <T> the profile data type
 */
public final class PlayerSessions<T> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PlayerSessions.class);

    private final ProfileStore<T> store;
    private final PolicySettings settings;
    private final Map<UUID, Online<T>> online = new ConcurrentHashMap<>();
    private final List<PlayerMessageHandler<T>> handlers = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** One player on this server; its fields change under its own monitor. */
    private static final class Online<T> {
        final PlayerHandle player;
        final long loginNanos = System.nanoTime();
        volatile long loadNanos = -1;
        Profile<T> profile;
        boolean quit;
        volatile boolean leaving;

        Online(PlayerHandle player) {
            this.player = player;
        }
    }

    /**
     * A policy over {@code store}; it closes the store on {@link #close()}.
     *
     * @param store the store of player profiles
     * @param settings timeouts and messages
     */
    public PlayerSessions(ProfileStore<T> store, PolicySettings settings) {
        this.store = Objects.requireNonNull(store, "store");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** The store. */
    public ProfileStore<T> store() {
        return store;
    }

    /** The profile key of a player: its UUID, so every server of a network names the same profile. */
    public static String keyOf(UUID player) {
        return player.toString();
    }

    /**
     * Adds a handler for online players' durable messages; it runs on the player's executor. Add handlers before
     * players log in: a message is handed to the handlers present when the profile loads.
     *
     * @param handler the handler
     * @return this policy
     */
    public PlayerSessions<T> onMessage(PlayerMessageHandler<T> handler) {
        handlers.add(Objects.requireNonNull(handler, "handler"));
        return this;
    }

    /**
     * Starts the player's session. Completes with the profile, or with the message to refuse the login with; never
     * fails. Call it while the player logs in (the platform's asynchronous pre-join event), and refuse the login on
     * {@link LoginResult.Refused}.
     *
     * @param player the player logging in
     * @return the outcome
     */
    public CompletableFuture<LoginResult<T>> loginAsync(PlayerHandle player) {
        var messages = settings.messages();
        if (store.isClosing()) {
            return CompletableFuture.completedFuture(new LoginResult.Refused<>(messages.closing(), "store closing"));
        }
        var entry = new Online<T>(player);
        Online<T> previous = online.put(player.id(), entry);
        if (previous != null) {
            // A login of a player this server still counts as online: the old connection's quit has not come yet.
            quit(previous);
        }
        long deadline = System.nanoTime() + settings.loginTimeout().toNanos();
        // With a cancel condition the start never times out by itself: the deadline is part of the condition.
        var options = SessionOptions.cancelWhen(() -> !player.connected() || System.nanoTime() - deadline > 0)
                .withCallbackExecutor(player.executor());
        return store.startSessionAsync(keyOf(player.id()), options)
                .handleAsync((start, error) -> loaded(entry, start, error), store.callbackExecutor());
    }

    private LoginResult<T> loaded(Online<T> entry, SessionStart<T> start, Throwable error) {
        var messages = settings.messages();
        PlayerHandle player = entry.player;
        if (error != null) {
            online.remove(player.id(), entry);
            log.warn("the profile of {} did not load", player.name(), error);
            return new LoginResult.Refused<>(messages.notLoaded(), String.valueOf(error));
        }
        return switch (start) {
            case SessionStart.NotStarted<T> no -> {
                online.remove(player.id(), entry);
                String message = switch (no.reason()) {
                    case CLOSING -> messages.closing();
                    case CANCELLED, TIMED_OUT -> messages.notLoaded();
                    case LOST_TO_ANOTHER_REQUEST, SUPERSEDED -> messages.taken();
                    case UNSUPPORTED_FORMAT -> messages.tooNew();
                };
                yield new LoginResult.Refused<>(message, no.reason() + ": " + no.detail());
            }
            case SessionStart.Started<T> started -> {
                Profile<T> profile = started.profile();
                boolean gone;
                synchronized (entry) {
                    gone = entry.quit || !player.connected();
                    if (!gone) {
                        entry.profile = profile;
                    }
                }
                if (gone) {
                    online.remove(player.id(), entry);
                    profile.endSessionAsync().exceptionally(e -> null);
                    yield new LoginResult.Refused<>(messages.notLoaded(), "the player left while the profile loaded");
                }
                entry.loadNanos = System.nanoTime() - entry.loginNanos;
                profile.onSessionEnd().connect(reason -> ended(entry, reason));
                for (PlayerMessageHandler<T> handler : handlers) {
                    profile.messageHandler((message, processed) -> handler.handle(player, profile, message, processed));
                }
                yield new LoginResult.Allowed<>(profile);
            }
        };
    }

    /** Runs on the player's executor when the session has ended, for any reason. */
    private void ended(Online<T> entry, SessionEndReason reason) {
        PlayerHandle player = entry.player;
        boolean here;
        synchronized (entry) {
            here = !entry.quit && player.connected();
        }
        var messages = settings.messages();
        switch (reason) {
            case MANUAL -> {
                // This server ended it: on quit, or before a hop; the player is leaving already.
            }
            case EXTERNAL -> {
                if (here && !entry.leaving) {
                    // Another server has the profile; a player switching through a proxy is disconnected from here
                    // within the grace, one still here after it must not go on playing on a profile it no longer has.
                    CompletableFuture.delayedExecutor(settings.handoffGrace().toNanos(), TimeUnit.NANOSECONDS,
                            player.executor()).execute(() -> {
                                if (online.get(player.id()) == entry && player.connected()) {
                                    player.kick(messages.movedAway());
                                }
                            });
                }
            }
            case LOST -> kickIf(here, player, messages.lost());
            case SHUTDOWN -> kickIf(here, player, messages.shutdown());
            case UNSAVED -> kickIf(here, player, messages.unsaved());
        }
    }

    private static void kickIf(boolean here, PlayerHandle player, String message) {
        if (here) {
            player.kick(message);
        }
    }

    /**
     * The entry of this connection of the player: a player who reconnects before the old connection's quit was seen
     * has two connections, and each call names its own (handles are equal only for the same connection).
     */
    private Online<T> entry(PlayerHandle player) {
        Online<T> entry = online.get(player.id());
        return entry != null && entry.player.equals(player) ? entry : null;
    }

    /**
     * The player's profile while its session is active. Call on the player's executor.
     *
     * @param player the player's connection
     * @return the profile, or empty when the player has none (loading, leaving, gone)
     */
    public Optional<Profile<T>> profile(PlayerHandle player) {
        Online<T> entry = entry(player);
        if (entry == null) {
            return Optional.empty();
        }
        Profile<T> profile;
        synchronized (entry) {
            profile = entry.profile;
        }
        return profile != null && profile.isActive() && !entry.leaving ? Optional.of(profile) : Optional.empty();
    }

    /**
     * Changes the player's profile data, on the player's executor, if the change will be saved.
     *
     * @param player the player's connection
     * @param change the change
     * @return true when it was applied; false when it was refused because the profile is not (or no longer) this
     *     server's to change (tell the player: the change did not happen)
     */
    public boolean change(PlayerHandle player, Consumer<T> change) {
        Optional<Profile<T>> profile = profile(player);
        profile.ifPresent(p -> change.accept(p.data()));
        return profile.isPresent();
    }

    /**
     * Prepares a hop to another server: refuses further changes, and saves and releases the profile. Send the
     * player on (the transfer packet, a proxy's connect) when it completes normally; then the next server loads
     * the profile without waiting. When it fails the profile was not released cleanly: the session was lost, and
     * the player has been kicked.
     *
     * @param player the player's connection
     * @return completes when the last save is durable
     */
    public CompletableFuture<Void> hopAsync(PlayerHandle player) {
        Online<T> entry = entry(player);
        if (entry == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("player " + player.name() + " is not online here"));
        }
        entry.leaving = true;
        Profile<T> profile;
        synchronized (entry) {
            profile = entry.profile;
        }
        if (profile == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("player " + player.name() + " has no profile here"));
        }
        return profile.endSessionAsync();
    }

    /**
     * The player left (quit, kicked, transferred, or the proxy moved them): ends the session with a last save. The
     * quit of an old connection of a player who already logged in again changes nothing.
     *
     * @param player the player's connection
     * @return completes when the last save is durable (or the connection had no session)
     */
    public CompletableFuture<Void> quitAsync(PlayerHandle player) {
        Online<T> entry = entry(player);
        if (entry == null || !online.remove(player.id(), entry)) {
            return CompletableFuture.completedFuture(null);
        }
        return quit(entry);
    }

    private CompletableFuture<Void> quit(Online<T> entry) {
        Profile<T> profile;
        synchronized (entry) {
            entry.quit = true;
            profile = entry.profile;
        }
        if (profile == null) {
            return CompletableFuture.completedFuture(null); // a start still loading sees the quit and ends itself
        }
        return profile.endSessionAsync().whenComplete((v, e) -> {
            if (e != null) {
                log.warn("the last save of {} failed", entry.player.name(), e);
            }
        });
    }

    /**
     * How long the player's profile took to load at login (the session start, including any wait for the previous
     * server's last save): what the store adds to a join or a hop.
     *
     * @param player the player's connection
     * @return the load time, or empty when the player has no loaded profile here
     */
    public Optional<java.time.Duration> loadTime(PlayerHandle player) {
        Online<T> entry = entry(player);
        return entry == null || entry.loadNanos < 0 ? Optional.empty() : Optional.of(java.time.Duration.ofNanos(entry.loadNanos));
    }

    /** How many players have an entry here (logging in, online or leaving). */
    public int size() {
        return online.size();
    }

    /** Shuts down, once: ends every session with a last save (players are kicked with the shutdown message) and closes the store. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            store.close();
            online.clear();
        }
    }
}
