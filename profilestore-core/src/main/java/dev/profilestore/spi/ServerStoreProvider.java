package dev.profilestore.spi;

import dev.profilestore.StoreConnection;
import dev.profilestore.StoreUri;

import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * A {@link StoreProvider} for a database server whose storage and messaging each open from the URI alone: a
 * backend module subclasses it with a public no-argument constructor that passes its schemes and openers.
 */
public abstract class ServerStoreProvider implements StoreProvider {

    private final Set<String> schemes;
    private final Function<String, ? extends Storage> storage;
    private final Function<String, ? extends Messaging> messaging;

    /**
     * Creates the provider.
     *
     * @param schemes the schemes served, in lower case
     * @param storage opens the storage at a URI (password included)
     * @param messaging opens the messaging at the same URI
     */
    protected ServerStoreProvider(Set<String> schemes, Function<String, ? extends Storage> storage,
                                  Function<String, ? extends Messaging> messaging) {
        this.schemes = Set.copyOf(schemes);
        this.storage = Objects.requireNonNull(storage, "storage");
        this.messaging = Objects.requireNonNull(messaging, "messaging");
    }

    @Override
    public final Set<String> schemes() {
        return schemes;
    }

    @Override
    public final StoreConnection open(StoreUri uri, StoreConnection.Options options) {
        if (!(uri instanceof StoreUri.Server server) || !schemes.contains(server.scheme())) {
            throw new IllegalArgumentException("not a URI of " + schemes + ": " + uri.redacted());
        }
        Storage opened = storage.apply(server.uri());
        try {
            return new StoreConnection(opened, messaging.apply(server.uri()), server.redacted());
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
    }
}
