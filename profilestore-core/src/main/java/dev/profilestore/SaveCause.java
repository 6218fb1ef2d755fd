package dev.profilestore;

import java.util.Locale;

/**
 * Why a saved version was kept: recorded with the version when it is written, so an operator looking at a profile's
 * history can tell a session's last save from a periodic snapshot, a rollback or the value an import replaced.
 */
public enum SaveCause {
    /** The last save of a session (the player left, another server asked for the profile, or the store closed). */
    SESSION_END,
    /** A periodic snapshot taken by an auto-save while the session went on. */
    PERIODIC,
    /** {@code ProfileView.overwrite()}: the program replaced the profile from a view. */
    OVERWRITE,
    /** A rollback to an older version (the CLI's {@code rollback}, the console, or a program that says so). */
    ROLLBACK,
    /** An operator's action through a tool (an import, a migration, an edit by hand). */
    OPERATOR,
    /**
     * The value a write replaced, kept so it is never destroyed: an unreadable or foreign record taken over by a
     * session, or a profile an import wrote over. Retention never drops these.
     */
    REPLACED,
    /** Written before causes were recorded, or by a tool that gave none. */
    UNKNOWN;

    /**
     * The cause a backend stored as {@link #name()}; {@link #UNKNOWN} for null or a name this library does not know
     * (written by a newer version), so listing versions never fails on it.
     */
    public static SaveCause fromStored(String stored) {
        if (stored == null || stored.isEmpty()) {
            return UNKNOWN;
        }
        try {
            return valueOf(stored.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return UNKNOWN;
        }
    }
}
