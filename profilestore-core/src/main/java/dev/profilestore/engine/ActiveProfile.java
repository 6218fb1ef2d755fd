package dev.profilestore.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profilestore.LastSaveReason;
import dev.profilestore.Profile;
import dev.profilestore.SaveCause;
import dev.profilestore.SessionEndReason;
import dev.profilestore.SessionInfo;
import dev.profilestore.Signal;

import java.time.Instant;
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
    /** Message ids already handed to handlers by the save path; null until the first message. */
    private Set<Long> received;

    /** Indexes of the session's signals in {@link #signals}. */
    static final int ON_SAVE = 0, ON_LAST_SAVE = 1, ON_SESSION_END = 2, ON_AFTER_SAVE = 3;
    private static final String[] SIGNAL_NAMES = {"onSave", "onLastSave", "onSessionEnd", "onAfterSave"};
    /**
     * The four signals, made when the game first asks for one: most sessions connect to none or one, and
     * four signal objects on every loaded profile cost about 100 bytes. Volatile: asked for on game threads.
     */
    private volatile SignalImpl<?>[] signals;

    ActiveProfile(StoreEngine<T> engine, String key, T data, byte[] dataJson, Envelope env, long revision, Instant createdAt,
                  Instant updatedAt, SessionInfo session, SessionOwner owner, long loadedAtNanos) {
        super(engine, key, data, env, createdAt, updatedAt, revision);
        this.session = session;
        this.owner = owner;
        this.loadedAtNanos = loadedAtNanos;
        this.revision = revision;
        this.cached = env;
        this.savedJson = dataJson;
        this.savedMetadata = env.metadata;
        this.savedUserIds = Set.copyOf(env.userIds); // immutable, and shared while empty
        env.messages.forEach(m -> firstReceipt(m.id()));
    }

    /** Records that message {@code id} reached the handlers; false when it had already. */
    boolean firstReceipt(long id) {
        if (received == null) {
            received = new HashSet<>();
        }
        return received.add(id);
    }

    @SuppressWarnings("unchecked")
    private <A> SignalImpl<A> signal(int index) {
        SignalImpl<?>[] all = signals;
        if (all == null || all[index] == null) {
            synchronized (this) {
                all = signals == null ? new SignalImpl<?>[SIGNAL_NAMES.length] : signals.clone();
                if (all[index] == null) {
                    all[index] = new SignalImpl<>(SIGNAL_NAMES[index], owner);
                    signals = all;
                }
                all = signals;
            }
        }
        return (SignalImpl<A>) all[index];
    }

    /** Fires signal {@code index} if anyone ever connected to it. */
    @SuppressWarnings("unchecked")
    <A> void fire(int index, A argument) {
        SignalImpl<?>[] all = signals;
        if (all != null && all[index] != null) {
            ((SignalImpl<A>) all[index]).fire(argument);
        }
    }

    boolean hasListeners(int index) {
        SignalImpl<?>[] all = signals;
        return all != null && all[index] != null && all[index].hasListeners();
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
        return engine.records.codec.fromBytes(savedJson);
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
        return engine.records.onLoop(() -> {
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
        return engine.records.onLoop(() -> end(cause));
    }

    @Override
    public void endSession() {
        endSession(SaveCause.SESSION_END);
    }

    @Override
    public void endSession(SaveCause cause) {
        Objects.requireNonNull(cause, "cause");
        engine.records.awaitOnLoop(() -> end(cause));
    }

    /** Ends the session as its game asked; on the loop. */
    private CompletableFuture<Void> end(SaveCause cause) {
        if (state == State.ACTIVE) {
            endCause = cause;
        }
        return engine.writer.end(this, LastSaveReason.MANUAL);
    }

    @Override
    public Signal<Void> onSave() {
        return signal(ON_SAVE);
    }

    @Override
    public Signal<LastSaveReason> onLastSave() {
        return signal(ON_LAST_SAVE);
    }

    @Override
    public Signal<SessionEndReason> onSessionEnd() {
        return signal(ON_SESSION_END);
    }

    @Override
    public Signal<T> onAfterSave() {
        return signal(ON_AFTER_SAVE);
    }

    @Override
    public String toString() {
        return "Profile[" + engine.name() + "/" + key + ", epoch " + session.epoch() + ", " + state + "]";
    }
}
