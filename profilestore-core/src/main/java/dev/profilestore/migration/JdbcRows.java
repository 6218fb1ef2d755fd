package dev.profilestore.migration;

import java.sql.Clob;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The rows of a JDBC query, streamed (the driver is asked to fetch in batches rather than all at once). Any JDBC
 * driver on the class path works; this library adds none.
 */
public final class JdbcRows implements RowSource<SqlRow> {

    private final PreparedStatement statement;
    private final ResultSet rows;
    private final String[] labels;
    private long position;

    private JdbcRows(PreparedStatement statement, ResultSet rows) throws SQLException {
        this.statement = statement;
        this.rows = rows;
        ResultSetMetaData meta = rows.getMetaData();
        labels = new String[meta.getColumnCount()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = meta.getColumnLabel(i + 1).toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Runs a query on a connection the caller owns (and closes, after this source).
     *
     * @param connection the connection
     * @param sql the query
     * @return its rows
     * @throws SQLException when the query fails
     */
    public static JdbcRows query(Connection connection, String sql) throws SQLException {
        PreparedStatement ps = connection.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
        try {
            ps.setFetchSize(500);
            return new JdbcRows(ps, ps.executeQuery());
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    @Override
    public SqlRow next() throws BadRowException {
        try {
            if (!rows.next()) {
                return null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the query's rows failed after row " + position + ": "
                    + e.getMessage(), e);
        }
        position++;
        Map<String, Object> columns = new LinkedHashMap<>();
        try {
            for (int i = 0; i < labels.length; i++) {
                Object v = rows.getObject(i + 1);
                if (v instanceof Clob c) {
                    v = c.getSubString(1, (int) Math.min(Integer.MAX_VALUE, c.length()));
                }
                columns.put(labels[i], v);
            }
        } catch (SQLException e) {
            throw new BadRowException("cannot be read: " + e.getMessage());
        }
        return new SqlRow(columns);
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void close() {
        try (statement; rows) {
            // closes both
        } catch (SQLException e) {
            // Closing a read-only cursor that failed cannot lose anything.
        }
    }
}
