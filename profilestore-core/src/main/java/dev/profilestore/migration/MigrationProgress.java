package dev.profilestore.migration;

/**
 * Where a running migration or verification is.
 *
 * @param done profiles handled so far, whatever their outcome
 * @param total profiles to handle, counted before the start (profiles created meanwhile are not in it)
 * @param copied profiles copied by this run
 * @param alreadyThere profiles found on the target already, as they are on the source (an earlier run copied them)
 * @param held profiles a live server holds, not copied
 * @param failed profiles that could not be copied (or, when verifying, that differ)
 * @param perSecond profiles handled per second since the start
 */
public record MigrationProgress(long done, long total, long copied, long alreadyThere, long held, long failed,
                                double perSecond) {}
