package dev.profilestore.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * A saved version of a record.
 *
 * @param versionId the backend's id for {@link Storage#readVersion}
 * @param savedAt when it was saved, by the store's clock
 * @param revision the record revision it captured
 */
public record VersionInfo(String versionId, Instant savedAt, long revision) {

    /** Validates the fields. */
    public VersionInfo {
        Objects.requireNonNull(versionId, "versionId");
        Objects.requireNonNull(savedAt, "savedAt");
    }
}
