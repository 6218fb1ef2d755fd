/**
 * Reading stored profile records outside a session, for operator tools: {@link dev.profilestore.admin.ProfileRecords}
 * decodes what a backend's {@link dev.profilestore.spi.Storage} returns into a {@link dev.profilestore.admin.StoredProfile},
 * and makes the few edits an operator needs (clearing a dead holder's lock).
 *
 * <p>The record layout is owned by the session engine, which both writes and reads it; this package is its one
 * public reader, so a tool never parses the layout on its own and cannot drift from it. It never writes to a
 * store: a tool writes the payloads it gets here through the storage SPI, with the usual compare-and-set.
 */
package dev.profilestore.admin;
