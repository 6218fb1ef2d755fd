package dev.profilestore.console;

import dev.profilestore.SessionInfo;

/**
 * What a force-release did.
 *
 * @param outcome the common part, as audited
 * @param previousLock the lock it cleared, or null (none, or only a takeover request was cleared)
 * @param changed whether the record was written
 */
public record ReleaseOutcome(ActionOutcome outcome, SessionInfo previousLock, boolean changed) {}
