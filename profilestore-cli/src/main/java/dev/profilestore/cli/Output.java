package dev.profilestore.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The CLI's own output: tables for people, one JSON document for scripts. The only place that writes to
 * standard output. Progress and logs go to standard error, so {@code --json} output stays parseable.
 */
public final class Output {

    /** JSON for scripts: snake_case field names, ISO-8601 times. */
    public static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** Plain JSON, for reading records and data as they are stored. */
    public static final ObjectMapper PLAIN = new ObjectMapper();

    private final PrintWriter out;

    /** @param out where results go (standard output) */
    public Output(PrintWriter out) {
        this.out = out;
    }

    /** Prints a value as one JSON document. */
    public void json(Object value) {
        try {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write JSON output", e);
        }
        out.flush();
    }

    /** Prints one JSON value on one line (JSON lines). */
    public void jsonLine(Object value) {
        try {
            out.println(PLAIN.writeValueAsString(value));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write JSON output", e);
        }
    }

    /** Prints a line of text. */
    public void line(String text) {
        out.println(text);
        out.flush();
    }

    /** Prints rows under headers, columns padded to their widest cell. */
    public void table(List<String> headers, List<List<String>> rows) {
        List<Integer> widths = new ArrayList<>();
        for (int c = 0; c < headers.size(); c++) {
            int w = headers.get(c).length();
            for (List<String> row : rows) {
                w = Math.max(w, cell(row, c).length());
            }
            widths.add(w);
        }
        out.println(format(headers, widths));
        List<String> rule = new ArrayList<>();
        widths.forEach(w -> rule.add("-".repeat(w)));
        out.println(format(rule, widths));
        rows.forEach(r -> out.println(format(r, widths)));
        out.flush();
    }

    /** Prints "name: value" pairs aligned. */
    public void pairs(List<List<String>> pairs) {
        int w = pairs.stream().mapToInt(p -> p.get(0).length()).max().orElse(0);
        for (List<String> p : pairs) {
            out.println(p.get(0) + ":" + " ".repeat(w - p.get(0).length() + 1) + p.get(1));
        }
        out.flush();
    }

    private static String cell(List<String> row, int c) {
        return c < row.size() && row.get(c) != null ? row.get(c) : "";
    }

    private static String format(List<String> cells, List<Integer> widths) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < widths.size(); c++) {
            String v = cell(cells, c);
            b.append(v);
            if (c < widths.size() - 1) {
                b.append(" ".repeat(widths.get(c) - v.length() + 2));
            }
        }
        return b.toString().stripTrailing();
    }
}
