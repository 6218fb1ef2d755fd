package dev.profilestore.migration;

import java.util.Iterator;

/**
 * Rows of a foreign source, read one at a time so a large table or file is never held in memory: a JDBC query
 * ({@link JdbcRows}), a JSON-lines file ({@link JsonLines}), or any iterable ({@link #of}).
 *
 * @param <R> the row type
 */
public interface RowSource<R> extends AutoCloseable {

    /**
     * Reads the next row.
     *
     * @return the row, or null after the last one
     * @throws BadRowException when this row cannot be read; the next call reads the row after it
     */
    R next() throws BadRowException;

    /** The number of the row last read, 1 for the first: what reports name it by (a file's line number). */
    long position();

    /** Releases what the source holds (a result set, a file). */
    @Override
    void close();

    /**
     * The rows of an iterable, numbered from 1.
     *
     * @param rows the rows; none may be null
     * @param <R> the row type
     * @return a source over them
     */
    static <R> RowSource<R> of(Iterable<R> rows) {
        Iterator<R> it = rows.iterator();
        return new RowSource<>() {
            private long position;

            @Override
            public R next() {
                if (!it.hasNext()) {
                    return null;
                }
                position++;
                return java.util.Objects.requireNonNull(it.next(), "row");
            }

            @Override
            public long position() {
                return position;
            }

            @Override
            public void close() {
                // nothing held
            }
        };
    }
}
