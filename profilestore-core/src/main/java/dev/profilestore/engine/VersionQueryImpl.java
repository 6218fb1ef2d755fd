package dev.profilestore.engine;

import dev.profilestore.ProfileView;
import dev.profilestore.SortDirection;
import dev.profilestore.VersionQuery;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Walks saved versions page by page; each version is read through the key's queue as a view. */
final class VersionQueryImpl<T> implements VersionQuery<T> {

    private static final int PAGE = 100;

    private final StoreEngine<T> engine;
    private final String key;
    private final SortDirection direction;
    private Instant from;
    private Instant to;
    private final ArrayDeque<VersionInfo> page = new ArrayDeque<>();
    private boolean exhausted;
    private long lastRevision = -1;

    VersionQueryImpl(StoreEngine<T> engine, String key, SortDirection direction, Instant from, Instant to) {
        this.engine = engine;
        this.key = key;
        this.direction = direction;
        this.from = from;
        this.to = to;
        new VersionRange(from, to, false, 1); // validates the range now, not at the first call
    }

    @Override
    public CompletableFuture<Optional<ProfileView<T>>> nextAsync() {
        return engine.records.onLoop(() -> {
            engine.records.requireOpen();
            if (!engine.records.storage.capabilities().versions()) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            CompletableFuture<Void> filled = page.isEmpty() && !exhausted ? fetch() : CompletableFuture.completedFuture(null);
            return filled.thenCompose(v -> {
                VersionInfo next = page.poll();
                if (next == null) {
                    return CompletableFuture.completedFuture(Optional.empty());
                }
                return engine.getAsync(key, next.versionId());
            });
        });
    }

    private CompletableFuture<Void> fetch() {
        boolean newestFirst = direction == SortDirection.DESCENDING;
        var range = new VersionRange(from, to, newestFirst, PAGE);
        return engine.records.call(() -> engine.records.storage.versions(engine.records.name, key, range)).thenAccept(list -> {
            for (VersionInfo v : list) {
                // Pages are cut by time; skip what the previous page already returned.
                boolean seen = lastRevision >= 0 && (newestFirst ? v.revision() >= lastRevision : v.revision() <= lastRevision);
                if (!seen) {
                    page.add(v);
                }
            }
            if (list.size() < PAGE) {
                exhausted = true;
            }
            if (!list.isEmpty()) {
                VersionInfo last = list.get(list.size() - 1);
                lastRevision = last.revision();
                if (newestFirst) {
                    to = last.savedAt();
                } else {
                    from = last.savedAt();
                }
                if (page.isEmpty() && !exhausted) {
                    exhausted = true; // a whole page at one instant: stop rather than loop
                }
            }
        });
    }
}
