/**
 * The operator console: a web page over any {@link dev.profilestore.spi.Storage}, for the support desk. It shows
 * live sessions, finds and shows profiles and their versions, and does the operator actions (roll back, pin, send a
 * message, force-release, erase) through the same code as the command line, recording each in the
 * {@link dev.profilestore.console.AuditLog} kept in the store itself. Start it with {@link ConsoleServer#start}.
 */
package dev.profilestore.console;
