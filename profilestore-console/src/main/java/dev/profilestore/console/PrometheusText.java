package dev.profilestore.console;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the samples of a page in the Prometheus text exposition format (version 0.0.4), which is what Micrometer's
 * Prometheus registry serves. Only what the console needs: names, labels, values; comments, timestamps and lines it
 * cannot read are skipped, so one odd line never hides the rest of a server's meters.
 */
final class PrometheusText {

    /**
     * One sample line.
     *
     * @param name the metric name with its suffix ({@code _count}, {@code _sum}, ...)
     * @param labels its labels
     * @param value its value; NaN and infinities as in the text
     */
    record Sample(String name, Map<String, String> labels, double value) {}

    private PrometheusText() {}

    static List<Sample> parse(String page) {
        List<Sample> samples = new ArrayList<>();
        for (String line : page.split("\n")) {
            Sample s = line(line.strip());
            if (s != null) {
                samples.add(s);
            }
        }
        return samples;
    }

    /** The sample on {@code line}, or null for a comment, a blank or a line that is not a sample. */
    static Sample line(String line) {
        if (line.isEmpty() || line.startsWith("#")) {
            return null;
        }
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new HashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i = labels(line, i + 1, labels);
            if (i < 0) {
                return null;
            }
        }
        String[] rest = line.substring(i).strip().split(" ");
        if (name.isEmpty() || rest.length == 0 || rest[0].isEmpty()) {
            return null;
        }
        double value;
        try {
            value = value(rest[0]);
        } catch (NumberFormatException e) {
            return null;
        }
        return new Sample(name, labels, value);
    }

    /** Reads {@code k="v",...}} from {@code i}; returns the index after the closing brace, or -1. */
    private static int labels(String line, int i, Map<String, String> labels) {
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '}') {
                return i + 1;
            }
            if (c == ',' || c == ' ') {
                i++;
                continue;
            }
            int eq = line.indexOf('=', i);
            if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                return -1;
            }
            String key = line.substring(i, eq).strip();
            StringBuilder v = new StringBuilder();
            int j = eq + 2;
            for (; j < line.length() && line.charAt(j) != '"'; j++) {
                char d = line.charAt(j);
                if (d == '\\' && j + 1 < line.length()) {
                    char e = line.charAt(++j);
                    v.append(e == 'n' ? '\n' : e);
                } else {
                    v.append(d);
                }
            }
            if (j >= line.length()) {
                return -1;
            }
            labels.put(key, v.toString());
            i = j + 1;
        }
        return -1;
    }

    private static double value(String text) {
        return switch (text) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }
}
