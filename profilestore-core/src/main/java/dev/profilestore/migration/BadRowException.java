package dev.profilestore.migration;

/**
 * A row of a {@link RowSource} that cannot be read (a line that is not JSON, a column of the wrong type): reported for
 * that row, and the import reads on.
 */
public final class BadRowException extends Exception {

    private static final long serialVersionUID = 1L;

    /** @param message what is wrong with the row */
    public BadRowException(String message) {
        super(message, null, false, false);
    }
}
