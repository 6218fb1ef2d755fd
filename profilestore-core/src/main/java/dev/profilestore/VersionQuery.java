package dev.profilestore;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Walks a profile's saved versions. Not thread-safe.
 *
 * @param <T> the profile data type
 */
public interface VersionQuery<T> {

    /** The next version as a view, or empty when there are no more. */
    CompletableFuture<Optional<ProfileView<T>>> nextAsync();
}
