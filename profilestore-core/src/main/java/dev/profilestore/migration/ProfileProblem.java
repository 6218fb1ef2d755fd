package dev.profilestore.migration;

import java.util.Objects;

/**
 * Why one profile was not copied, or how its two sides differ.
 *
 * @param store the store name
 * @param key the profile key
 * @param problem what is wrong, in words
 */
public record ProfileProblem(String store, String key, String problem) {

    /** Validates the fields. */
    public ProfileProblem {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(problem, "problem");
    }

    @Override
    public String toString() {
        return store + "/" + key + ": " + problem;
    }
}
