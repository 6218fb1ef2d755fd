/**
 * Moving profiles between stores and bringing in player data from elsewhere.
 *
 * <p>{@link dev.profilestore.migration.Migration} copies every profile of some stores from one
 * {@link dev.profilestore.spi.Storage} to another with its saved versions (their order, save times and pins), its
 * user-id index and its pending messages, refuses (or waits for) profiles a live server holds, can be run again
 * after an interruption, and compares both sides afterwards.
 *
 * <p>{@link dev.profilestore.migration.ProfileImport} writes rows of any source (a JDBC query, a JSON-lines file,
 * anything iterable) as new profiles through the session lock protocol, mapped by a function of the caller's.
 */
package dev.profilestore.migration;
