package dev.profilestore.bench;

import dev.profilestore.bench.ScaleBench.Result;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Draws the scale curve's SVG charts from {@link ScaleBench}'s results, one line per backend, profile count and
 * connection sharing.
 */
final class ScaleCharts {

    /** The files {@link #write} produces. */
    static final List<String> FILES = List.of("scale-handoff.svg", "scale-store-ops.svg", "scale-connections.svg",
            "scale-db-cpu.svg");

    private ScaleCharts() {}

    static List<Path> write(Path dir, List<Result> results) throws IOException {
        Map<String, List<Result>> lines = new LinkedHashMap<>();
        for (Result r : results) {
            String name = ScaleBench.label(r.backend()) + ", "
                    + String.format(Locale.ROOT, "%,d", r.profiles()) + " profiles"
                    + (r.sharedConnections() ? ", shared conn." : "") + (r.messaging().equals(r.backend()) ? "" : ", Redis msg.");
            lines.computeIfAbsent(name, k -> new ArrayList<>()).add(r);
        }
        lines.values().forEach(l -> l.sort(java.util.Comparator.comparingInt(Result::servers)));
        SvgChart handoff = new SvgChart("Handoff latency vs game servers", "game servers (log scale)",
                "handoff ms (log scale)", true);
        lines.forEach((name, rs) -> {
            handoff.add(new SvgChart.Series(name + " p50", points(rs, Result::handoffP50Ms, true), false));
            handoff.add(new SvgChart.Series(name + " p99", points(rs, Result::handoffP99Ms, true), true));
        });
        SvgChart ops = chart("Store operations per second", "operations/s (log scale)", true, lines,
                Result::storeOpsPerSecond);
        SvgChart connections = chart("Database connections", "client connections (log scale)", true, lines,
                r -> r.connections());
        SvgChart cpu = chart("Database CPU", "cores", false, lines, Result::databaseCores);
        List<SvgChart> charts = List.of(handoff, ops, connections, cpu);
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        for (int i = 0; i < charts.size(); i++) {
            Path file = dir.resolve(FILES.get(i));
            Files.writeString(file, charts.get(i).render(), StandardCharsets.UTF_8);
            written.add(file);
        }
        return written;
    }

    private static SvgChart chart(String title, String yLabel, boolean logY, Map<String, List<Result>> lines,
                                  ToDoubleFunction<Result> value) {
        SvgChart chart = new SvgChart(title + " vs game servers", "game servers (log scale)", yLabel, logY);
        lines.forEach((name, rs) -> chart.add(new SvgChart.Series(name, points(rs, value, logY), false)));
        return chart;
    }

    /**
     * A log axis cannot show zero, so those points are left out there; a linear axis keeps them, since a database
     * that used less than one clock tick of CPU in a short window is a real reading, not a missing one.
     */
    private static List<double[]> points(List<Result> rs, ToDoubleFunction<Result> value, boolean logY) {
        return rs.stream().filter(r -> Double.isFinite(value.applyAsDouble(r)) && (!logY || value.applyAsDouble(r) > 0))
                .map(r -> new double[] {r.servers(), value.applyAsDouble(r)}).toList();
    }
}
