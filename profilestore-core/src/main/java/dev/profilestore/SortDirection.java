package dev.profilestore;

/** The order of a {@link VersionQuery}. */
public enum SortDirection {
    /** Oldest first. */
    ASCENDING,
    /** Newest first. */
    DESCENDING
}
