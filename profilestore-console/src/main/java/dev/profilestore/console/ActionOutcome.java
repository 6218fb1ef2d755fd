package dev.profilestore.console;

/**
 * What an operator action did, as recorded in the audit log and shown to the operator.
 *
 * @param ok whether it did what was asked
 * @param message what happened, for people
 * @param revisionBefore the record's revision before, 0 when there was none
 * @param revisionAfter the record's revision after, 0 when there is none
 */
public record ActionOutcome(boolean ok, String message, long revisionBefore, long revisionAfter) {}
