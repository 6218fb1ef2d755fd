package dev.profilestore.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Statements sent to the database together: as one multi-statement text, in one round trip, where the connection
 * takes that ({@code combined}), else one after another. Either way they run in order, and each answers with its
 * update count or, for a query, its first row.
 *
 * <p>Why: a write is up to ten statements, and a round trip after a wait costs a thread wake-up on each side. On the
 * bench's two-core VM a MariaDB statement in a write took 90 to 380 µs against 11 µs for {@code SELECT 1} in a tight
 * loop, and a session-end save of ten statements took 2.3 ms; in three round trips it takes 1.5 ms, a plain save
 * 0.7 ms instead of 1.25 (docs/benchmarks.md, {@code WriteProbe}).
 *
 * <p>Sent together, a statement after one that changed nothing still runs: the caller puts in one trip only
 * statements that are harmless then (inside a transaction it rolls back), and decides on the answers after.
 */
final class RoundTrip {

    /** What one statement answered. */
    record Answer(int updateCount, long[] row) {
        /** The first column of the row, or {@code absent} when the query found no row. */
        long first(long absent) {
            return row == null ? absent : row[0];
        }
    }

    private final List<String> statements = new ArrayList<>();
    private final List<Object[]> parameters = new ArrayList<>();
    /** The index of the statement whose changing nothing makes the rest pointless, or -1. */
    private int guard = -1;

    /** Adds a statement; {@code params} are Strings, Longs, Integers or byte arrays, bound in order. */
    RoundTrip add(String statement, Object... params) {
        statements.add(statement);
        parameters.add(params);
        return this;
    }

    /**
     * Adds a statement (a compare-and-set) after which, when it changes nothing, the rest are not sent one by one:
     * the answers then end with its own. Sent together, the rest have run by then.
     */
    RoundTrip addGuard(String statement, Object... params) {
        guard = statements.size();
        return add(statement, params);
    }

    int size() {
        return statements.size();
    }

    boolean isEmpty() {
        return statements.isEmpty();
    }

    /** Sends the statements added, then forgets them; one answer per statement, in order. */
    List<Answer> send(Connection c, boolean combined) throws SQLException {
        try {
            return combined && statements.size() > 1 ? sendCombined(c) : sendEach(c);
        } finally {
            statements.clear();
            parameters.clear();
            guard = -1;
        }
    }

    private List<Answer> sendEach(Connection c) throws SQLException {
        List<Answer> answers = new ArrayList<>(statements.size());
        for (int i = 0; i < statements.size(); i++) {
            try (PreparedStatement ps = c.prepareStatement(statements.get(i))) {
                bind(ps, 1, parameters.get(i));
                answers.add(ps.execute() ? new Answer(-1, firstRow(ps.getResultSet())) : new Answer(ps.getUpdateCount(), null));
            }
            if (i == guard && answers.get(i).updateCount() == 0) {
                break;
            }
        }
        return answers;
    }

    private List<Answer> sendCombined(Connection c) throws SQLException {
        int index = 1;
        try (PreparedStatement ps = c.prepareStatement(String.join(";\n", statements))) {
            for (Object[] params : parameters) {
                index = bind(ps, index, params);
            }
            List<Answer> answers = new ArrayList<>(statements.size());
            boolean isQuery = ps.execute();
            while (answers.size() < statements.size()) {
                if (isQuery) {
                    answers.add(new Answer(-1, firstRow(ps.getResultSet())));
                } else {
                    int count = ps.getUpdateCount();
                    if (count == -1) {
                        throw new SQLException("the database answered " + answers.size() + " of " + statements.size()
                                + " statements sent together");
                    }
                    answers.add(new Answer(count, null));
                }
                isQuery = ps.getMoreResults();
            }
            return answers;
        }
    }

    private static int bind(PreparedStatement ps, int index, Object[] params) throws SQLException {
        for (Object p : params) {
            switch (p) {
                case String s -> ps.setString(index, s);
                case Long l -> ps.setLong(index, l);
                case Integer i -> ps.setInt(index, i);
                case byte[] b -> ps.setBytes(index, b);
                default -> throw new IllegalArgumentException("cannot bind " + p.getClass().getName());
            }
            index++;
        }
        return index;
    }

    private static long[] firstRow(ResultSet rs) throws SQLException {
        try (rs) {
            if (!rs.next()) {
                return null;
            }
            long[] row = new long[rs.getMetaData().getColumnCount()];
            for (int i = 0; i < row.length; i++) {
                row[i] = rs.getLong(i + 1);
            }
            return row;
        }
    }
}
