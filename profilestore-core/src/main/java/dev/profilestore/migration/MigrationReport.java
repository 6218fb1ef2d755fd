package dev.profilestore.migration;

import java.time.Duration;
import java.util.List;

/**
 * What a {@link Migration#run()} did.
 *
 * @param copied profiles copied by this run
 * @param alreadyThere profiles an earlier run had copied, left as they are
 * @param versionsCopied saved versions copied by this run
 * @param held profiles a live server held (after waiting, if asked to): not copied; run again once they are free
 * @param failed profiles that could not be copied, with the reason
 * @param complete whether every profile is now on the target: false when some were held, failed, or left for a later
 *     run by a limit, or the run stopped after too many failures
 * @param elapsed how long the run took
 */
public record MigrationReport(long copied, long alreadyThere, long versionsCopied, List<ProfileProblem> held,
                             List<ProfileProblem> failed, boolean complete, Duration elapsed) {

    /** Copies the lists. */
    public MigrationReport {
        held = List.copyOf(held);
        failed = List.copyOf(failed);
    }

    /** Profiles handled per second. */
    public double perSecond() {
        long handled = copied + alreadyThere + held.size() + failed.size();
        return elapsed.isZero() ? handled : handled / (elapsed.toNanos() / 1e9);
    }
}
