package dev.profilestore.migration;

/**
 * A row that was not imported, and why.
 *
 * @param row the row's number in its source (a line number for a file), from 1
 * @param key the profile key it maps to, or null when it did not map to one
 * @param problem what is wrong, in words
 */
public record RowProblem(long row, String key, String problem) {

    @Override
    public String toString() {
        return "row " + row + (key == null ? "" : " (key '" + key + "')") + ": " + problem;
    }
}
