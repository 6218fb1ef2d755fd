package dev.profilestore.spi;

import dev.profilestore.SaveCause;

import java.time.Instant;
import java.util.Objects;

/**
 * A saved version of a record.
 *
 * @param versionId the backend's id for {@link Storage#readVersion}
 * @param savedAt when it was saved, by the store's clock
 * @param revision the record revision it captured
 * @param cause why it was kept
 */
public record VersionInfo(String versionId, Instant savedAt, long revision, SaveCause cause) {

    /** Validates the fields. */
    public VersionInfo {
        Objects.requireNonNull(versionId, "versionId");
        Objects.requireNonNull(savedAt, "savedAt");
        Objects.requireNonNull(cause, "cause");
    }

    /** A version whose cause was not recorded. */
    public VersionInfo(String versionId, Instant savedAt, long revision) {
        this(versionId, savedAt, revision, SaveCause.UNKNOWN);
    }
}
