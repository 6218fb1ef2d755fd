package dev.profilestore.engine;

import dev.profilestore.ProfileView;
import dev.profilestore.SessionInfo;
import dev.profilestore.spi.StoredRecord;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A read of a profile without a session. */
final class ViewProfile<T> extends ProfileBase<T> implements ProfileView<T> {

    private final String version;
    private final SessionInfo holder;

    ViewProfile(StoreEngine<T> engine, String key, T data, Envelope env, StoredRecord record, String version,
                SessionInfo holder) {
        super(engine, key, data, env, record.createdAt(), record.updatedAt(), record.revision());
        this.version = version;
        this.holder = holder;
    }

    @Override
    boolean acceptsHandlers() {
        return true;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public Optional<SessionInfo> session() {
        return Optional.ofNullable(holder);
    }

    @Override
    public CompletableFuture<Void> overwriteAsync() {
        return engine.records.onLoop(() -> engine.writer.overwrite(this));
    }

    @Override
    public String toString() {
        return "ProfileView[" + engine.name() + "/" + key + " @ " + version + "]";
    }
}
