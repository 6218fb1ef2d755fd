package dev.profilestore.migration;

/**
 * Maps one row of a foreign source to a profile. Throwing rejects the row: it is reported with the exception's
 * message and the import goes on with the next row.
 *
 * @param <R> the row type of the source
 * @param <T> the store's data class
 */
@FunctionalInterface
public interface RowMapper<R, T> {

    /**
     * Maps a row.
     *
     * @param row the row as read
     * @return the profile to write
     * @throws Exception when the row cannot be mapped (reported for that row)
     */
    ImportedProfile<T> map(R row) throws Exception;
}
