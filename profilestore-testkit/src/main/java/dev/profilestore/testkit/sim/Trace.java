package dev.profilestore.testkit.sim;

import dev.profilestore.time.ManualScheduler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The readable history of a run: one line per event, stamped with the step and the simulated time.
 * Session ids (random UUIDs in the engine) are replaced by short labels in order of appearance, so the
 * trace of a seed reads the same on every rerun.
 */
final class Trace {

    private final ManualScheduler clock;
    private final List<String> lines = new ArrayList<>();
    private final Map<String, String> sessionLabels = new HashMap<>();
    private int step = -1;

    Trace(ManualScheduler clock) {
        this.clock = clock;
    }

    void step(int step) {
        this.step = step;
    }

    int step() {
        return step;
    }

    String session(String sessionId) {
        return sessionId == null ? "-" : sessionLabels.computeIfAbsent(sessionId, s -> "S" + (sessionLabels.size() + 1));
    }

    void add(String line) {
        long ms = clock.nanoTime() / 1_000_000;
        lines.add(String.format("[%s t=%d.%03ds] %s", step < 0 ? "end" : "#" + step, ms / 1000, ms % 1000, line));
    }

    List<String> lines() {
        return lines;
    }
}
