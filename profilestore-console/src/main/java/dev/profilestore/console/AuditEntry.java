package dev.profilestore.console;

import java.time.Instant;
import java.util.Objects;

/**
 * One operator action, as the audit log keeps it.
 *
 * @param at when it was done, by the operator's clock
 * @param operator who did it (the name given at the console's login, or the command line's {@code --operator})
 * @param tool where it was done: {@code console} or {@code cli}
 * @param action what was done: {@code rollback}, {@code pin}, {@code message}, {@code release}, {@code erase}
 * @param storeName the store name it was done in
 * @param target the profile key, or {@code user:ID} for an erasure
 * @param detail the action's arguments and outcome, for people
 * @param revisionBefore the record's revision before, or 0 when there was none
 * @param revisionAfter the record's revision after, or 0 when there is none (erased, or the action failed before)
 * @param ok whether the action did what was asked
 */
public record AuditEntry(Instant at, String operator, String tool, String action, String storeName, String target,
                         String detail, long revisionBefore, long revisionAfter, boolean ok) {

    /** Checks that every text field is present. */
    public AuditEntry {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(operator, "operator");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(storeName, "storeName");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(detail, "detail");
    }
}
