package dev.profilestore.jdbc;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The names of the library's tables under one prefix, so several deployments can share a database.
 *
 * @param prefix letters, digits and underscores, starting with a letter or underscore, at most 32 characters
 */
public record TableNames(String prefix) {

    /** The prefix used when none is given. */
    public static final String DEFAULT_PREFIX = "profilestore_";

    private static final Pattern VALID = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,31}");

    /** Validates the prefix; it is pasted into SQL, so nothing else is accepted. */
    public TableNames {
        Objects.requireNonNull(prefix, "prefix");
        if (!VALID.matcher(prefix).matches()) {
            throw new IllegalArgumentException("table prefix \"" + prefix
                    + "\" must be 1-32 letters, digits or underscores, starting with a letter or underscore");
        }
    }

    /** The current records. */
    public String records() {
        return prefix + "records";
    }

    /** Saved versions. */
    public String versions() {
        return prefix + "versions";
    }

    /** The user-id index (revision 0: the current record; otherwise a saved version). */
    public String userIds() {
        return prefix + "user_ids";
    }

    /** Server leases. */
    public String leases() {
        return prefix + "leases";
    }

    /** Messages of {@link PollingMessaging}. */
    public String messages() {
        return prefix + "messages";
    }

    /** The schema version applied. */
    public String schemaVersion() {
        return prefix + "schema_version";
    }

    /** The global revision allocator (a sequence or a table, by dialect). */
    public String revisions() {
        return prefix + "revisions";
    }
}
