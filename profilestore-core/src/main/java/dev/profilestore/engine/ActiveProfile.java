package dev.profilestore.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profilestore.KeyInfo;
import dev.profilestore.LastSaveReason;
import dev.profilestore.Profile;
import dev.profilestore.SaveCause;
import dev.profilestore.SessionEndReason;
import dev.profilestore.SessionInfo;
import dev.profilestore.Signal;

import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** A profile whose session this server holds. State lives on the store's event loop. */
final class ActiveProfile<T> extends ProfileBase<T> implements Profile<T> {

    enum State { ACTIVE, ENDING, ENDED }

    final SessionInfo session;
    /** Where the profile belongs: the loop, or the player's executor from the session options. */
    final SessionOwner owner;
    final long loadedAtNanos;
    /** Volatile: a session with its own executor reads {@link #isActive()} on the player's thread. */
    volatile State state = State.ACTIVE;
    final CompletableFuture<Void> ended = new CompletableFuture<>();

    /** The last record this session wrote or read, without its data: the fast path's expected revision. */
    long revision;
    Envelope cached;
    /** What the last successful write held, to skip writes of unchanged profiles. */
    byte[] savedJson;
    ObjectNode savedMetadata;
    Set<Long> savedUserIds;
    /** What the version the last save keeps is recorded as; set by the first end asked for. */
    SaveCause endCause = SaveCause.SESSION_END;
    /** Message ids already handed to handlers by the save path. */
    final Set<Long> received = new HashSet<>();

    final SignalImpl<Void> onSave;
    final SignalImpl<LastSaveReason> onLastSave;
    final SignalImpl<SessionEndReason> onSessionEnd;
    final SignalImpl<T> onAfterSave;

    ActiveProfile(StoreEngine<T> engine, String key, T data, byte[] dataJson, Envelope env, long revision, KeyInfo keyInfo,
                  SessionInfo session, SessionOwner owner, long loadedAtNanos) {
        super(engine, key, data, env, keyInfo);
        this.session = session;
        this.owner = owner;
        this.onSave = new SignalImpl<>("onSave", owner);
        this.onLastSave = new SignalImpl<>("onLastSave", owner);
        this.onSessionEnd = new SignalImpl<>("onSessionEnd", owner);
        this.onAfterSave = new SignalImpl<>("onAfterSave", owner);
        this.loadedAtNanos = loadedAtNanos;
        this.revision = revision;
        this.cached = env;
        this.savedJson = dataJson;
        this.savedMetadata = env.metadata;
        this.savedUserIds = Set.copyOf(env.userIds); // immutable, and shared while empty
        env.messages.forEach(m -> received.add(m.id()));
    }

    @Override
    boolean runOwned(Runnable task) {
        return owner.run(task);
    }

    @Override
    boolean acceptsHandlers() {
        return state == State.ACTIVE;
    }

    @Override
    public T lastSavedData() {
        return engine.codec.fromBytes(savedJson);
    }

    @Override
    public SessionInfo sessionInfo() {
        return session;
    }

    @Override
    public Optional<SessionInfo> session() {
        return Optional.of(session);
    }

    /** Whether {@code lock} (null: none) names this session, at its epoch, as the holder. */
    boolean holds(Envelope.Lock lock) {
        return lock != null && lock.sessionId().equals(session.sessionId()) && lock.epoch() == session.epoch();
    }

    @Override
    public boolean isActive() {
        return state == State.ACTIVE;
    }

    @Override
    public CompletableFuture<Void> saveAsync() {
        return engine.onLoop(() -> {
            engine.autoSaver.moveToBack(this); // a manual save resets the profile's turn
            return engine.writer.save(this, true);
        });
    }

    @Override
    public CompletableFuture<Void> endSessionAsync() {
        return endSessionAsync(SaveCause.SESSION_END);
    }

    @Override
    public CompletableFuture<Void> endSessionAsync(SaveCause cause) {
        Objects.requireNonNull(cause, "cause");
        return engine.onLoop(() -> {
            if (state == State.ACTIVE) {
                endCause = cause;
            }
            return engine.writer.end(this, LastSaveReason.MANUAL);
        });
    }

    @Override
    public void endSession() {
        engine.await(endSessionAsync());
    }

    @Override
    public void endSession(SaveCause cause) {
        engine.await(endSessionAsync(cause));
    }

    @Override
    public Signal<Void> onSave() {
        return onSave;
    }

    @Override
    public Signal<LastSaveReason> onLastSave() {
        return onLastSave;
    }

    @Override
    public Signal<SessionEndReason> onSessionEnd() {
        return onSessionEnd;
    }

    @Override
    public Signal<T> onAfterSave() {
        return onAfterSave;
    }

    @Override
    public String toString() {
        return "Profile[" + engine.name() + "/" + key + ", epoch " + session.epoch() + ", " + state + "]";
    }
}
