package dev.profilestore.console;

/**
 * What a rollback did.
 *
 * @param outcome the common part, as audited
 * @param epoch the epoch of the session the rollback wrote under, 0 when it did not start one
 * @param previousHolder the server that held the profile before and was asked to release it, or null
 */
public record RollbackOutcome(ActionOutcome outcome, long epoch, String previousHolder) {}
