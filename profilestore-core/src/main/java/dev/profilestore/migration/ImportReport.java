package dev.profilestore.migration;

import java.time.Duration;
import java.util.List;

/**
 * What a {@link ProfileImport#run} did. Every row is in exactly one of the counts or in {@link #rejected}.
 *
 * @param created rows written as new profiles
 * @param overwritten rows that replaced an existing profile (kept as a saved version)
 * @param skipped rows whose key held a profile already, left as it was ({@link ProfileImport.Existing#SKIP})
 * @param rejected rows not imported, each with its reason; nothing of them was written
 * @param elapsed how long the import took
 */
public record ImportReport(long created, long overwritten, long skipped, List<RowProblem> rejected, Duration elapsed) {

    /** Copies the list. */
    public ImportReport {
        rejected = List.copyOf(rejected);
    }

    /** Rows written, new or replacing. */
    public long imported() {
        return created + overwritten;
    }
}
