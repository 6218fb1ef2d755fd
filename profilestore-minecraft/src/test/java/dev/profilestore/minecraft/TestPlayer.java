package dev.profilestore.minecraft;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A player connection for the policy tests: its own thread, a connected flag, and the kicks it received. */
final class TestPlayer implements PlayerHandle, AutoCloseable {

    private final UUID id;
    private final String name;
    private final ExecutorService thread;
    volatile boolean connected = true;
    final List<String> kicks = new CopyOnWriteArrayList<>();

    TestPlayer(String name) {
        this(name, UUID.randomUUID());
    }

    private TestPlayer(String name, UUID id) {
        this.id = id;
        this.name = name;
        this.thread = Executors.newSingleThreadExecutor(r -> new Thread(r, name + "-thread"));
    }

    @Override
    public UUID id() {
        return id;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean connected() {
        return connected;
    }

    @Override
    public ExecutorService executor() {
        return thread;
    }

    @Override
    public void kick(String message) {
        kicks.add(message);
        connected = false;
    }

    /** The same player (same UUID) connecting to another server. */
    TestPlayer onAnotherServer() {
        return new TestPlayer(name + "-b", id);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
