package dev.profilestore.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The sessions one store has loaded and their transitions, ACTIVE → ENDING → ENDED: the only place that changes
 * which profiles are active or ending. The layers above tell it what happened (a start took the lock, an end
 * began, a session was lost, an end finished); whoever must act on a change subscribes (the auto-saver keeps its
 * rotation; a start waiting for this server's previous session of its key wakes), so nothing here calls up.
 * Loop only, except {@link #active(String)}, which any thread may call.
 */
final class Sessions<T> {

    /** Read off the loop by {@code activeProfile(key)}. */
    private final Map<String, ActiveProfile<T>> active = new ConcurrentHashMap<>();
    private final Map<String, ActiveProfile<T>> ending = new HashMap<>();
    private final List<Consumer<ActiveProfile<T>>> onActive = new ArrayList<>();
    private final List<Consumer<ActiveProfile<T>>> onInactive = new ArrayList<>();
    private final List<Consumer<String>> onGone = new ArrayList<>();

    /** {@code listener} hears each session that becomes active. */
    void onActive(Consumer<ActiveProfile<T>> listener) {
        onActive.add(listener);
    }

    /** {@code listener} hears each session that stops being active (its end began, or it was lost). */
    void onInactive(Consumer<ActiveProfile<T>> listener) {
        onInactive.add(listener);
    }

    /** {@code listener} hears each key whose ending session has finished ending: nothing of it is in flight. */
    void onGone(Consumer<String> listener) {
        onGone.add(listener);
    }

    /** A start took the lock: {@code p} is active. */
    void activate(ActiveProfile<T> p) {
        active.put(p.key, p);
        onActive.forEach(l -> l.accept(p));
    }

    /** {@code p}'s end began: it takes no new saves of its own, and its last save is in flight. */
    void beginEnding(ActiveProfile<T> p) {
        p.state = ActiveProfile.State.ENDING;
        active.remove(p.key, p);
        ending.put(p.key, p);
        onInactive.forEach(l -> l.accept(p));
    }

    /**
     * {@code p} is over: its end finished, or it was found lost. Whatever it was doing, it writes nothing more.
     *
     * @return false when it was over already
     */
    boolean end(ActiveProfile<T> p) {
        if (p.state == ActiveProfile.State.ENDED) {
            return false;
        }
        boolean wasActive = p.state == ActiveProfile.State.ACTIVE;
        p.state = ActiveProfile.State.ENDED;
        if (wasActive) {
            active.remove(p.key, p);
            onInactive.forEach(l -> l.accept(p));
        }
        return true;
    }

    /** {@code p}'s end has been reported to its callers: a start of its key no longer waits for it. */
    void gone(ActiveProfile<T> p) {
        ending.remove(p.key, p);
        onGone.forEach(l -> l.accept(p.key));
    }

    ActiveProfile<T> active(String key) {
        return active.get(key);
    }

    ActiveProfile<T> ending(String key) {
        return ending.get(key);
    }

    /** Whether this store has a session of {@code key}, active or ending. */
    boolean has(String key) {
        return active.containsKey(key) || ending.containsKey(key);
    }

    /** A copy: the caller may end them while iterating. */
    List<ActiveProfile<T>> allActive() {
        return List.copyOf(active.values());
    }

    Collection<ActiveProfile<T>> allEnding() {
        return List.copyOf(ending.values());
    }

    int activeCount() {
        return active.size();
    }

    /** Read racily off the loop by {@code health()}, which must never wait behind a busy loop. */
    int endingCount() {
        return ending.size();
    }
}
