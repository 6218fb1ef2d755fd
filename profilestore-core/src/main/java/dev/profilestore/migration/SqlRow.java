package dev.profilestore.migration;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One row of a JDBC query, read by {@link JdbcRows}: its columns by label, compared without case.
 *
 * @param columns the values by column label (kept in lower case), as the driver returned them (null for SQL NULL)
 */
public record SqlRow(Map<String, Object> columns) {

    /** Copies the map, with its labels in lower case. */
    public SqlRow {
        Map<String, Object> lower = new java.util.LinkedHashMap<>();
        columns.forEach((label, value) -> lower.put(label.toLowerCase(Locale.ROOT), value));
        columns = java.util.Collections.unmodifiableMap(lower);
    }

    /**
     * The value of a column.
     *
     * @param column the column label, in any case
     * @return the value, null for SQL NULL
     * @throws IllegalArgumentException when the query has no such column
     */
    public Object get(String column) {
        String c = column.toLowerCase(Locale.ROOT);
        if (!columns.containsKey(c)) {
            throw new IllegalArgumentException("no column '" + column + "' (the query returns " + columns.keySet() + ")");
        }
        return columns.get(c);
    }

    /**
     * A column as text: strings as they are, character large objects read, numbers written out.
     *
     * @param column the column label
     * @return the text, null for SQL NULL
     */
    public String text(String column) {
        Object v = get(column);
        return v == null ? null : v.toString();
    }

    /**
     * A column as a whole number.
     *
     * @param column the column label
     * @return the number, null for SQL NULL
     * @throws IllegalArgumentException when it is not a whole number
     */
    public Long number(String column) {
        Object v = get(column);
        if (v == null) {
            return null;
        }
        if (v instanceof Number n && (n instanceof Long || n instanceof Integer || n instanceof Short
                || n instanceof Byte || n instanceof java.math.BigInteger || n instanceof java.math.BigDecimal b
                && b.stripTrailingZeros().scale() <= 0)) {
            return n.longValue();
        }
        try {
            return Long.parseLong(v.toString().strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("column '" + column + "' is not a whole number: " + v);
        }
    }

    /**
     * A column as a time: an SQL timestamp, an ISO-8601 text, or a number of milliseconds since the epoch.
     *
     * @param column the column label
     * @return the time, null for SQL NULL
     * @throws IllegalArgumentException when it is none of those
     */
    public Instant instant(String column) {
        Object v = get(column);
        return switch (v) {
            case null -> null;
            case Timestamp t -> t.toInstant();
            case OffsetDateTime o -> o.toInstant();
            case java.time.LocalDateTime l -> l.toInstant(java.time.ZoneOffset.UTC);
            case Instant i -> i;
            case Number n -> Instant.ofEpochMilli(n.longValue());
            default -> {
                String s = v.toString().strip();
                try {
                    yield s.chars().allMatch(Character::isDigit) ? Instant.ofEpochMilli(Long.parseLong(s))
                            : Instant.parse(s);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("column '" + column + "' is not a time (ISO-8601 or epoch"
                            + " milliseconds): " + s);
                }
            }
        };
    }

    @Override
    public String toString() {
        return "SqlRow" + Objects.toString(columns.keySet());
    }
}
