package dev.profilestore.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time the database server processes have used, read from Linux's {@code /proc}: PostgreSQL's postmaster (found
 * by its port on the command line) and every process it forked (one per connection, plus its workers); the
 * redis-server process with the port. Other engineers' databases on the same machine are not counted.
 */
final class DatabaseCpu {

    /** {@code USER_HZ}: the unit of the times in {@code /proc/PID/stat}; 100 on every Linux this runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    private DatabaseCpu() {}

    /** Seconds of CPU (user + system) used so far by the {@code backend}'s server processes; 0 without /proc. */
    static double seconds(Servers db, String backend) {
        if (backend.equals("sqlite")) {
            return 0; // no server process: SQLite's work is in the game servers' JVMs, counted there
        }
        int port = backend.equals("postgres") ? db.postgresPort() : db.redisPort();
        String program = backend.equals("postgres") ? "postgres" : "redis-server";
        List<Long> roots = new ArrayList<>();
        List<long[]> all = new ArrayList<>(); // pid, ppid, ticks
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    // comm may contain spaces: the fields after it start after the last ')'.
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long pid = Long.parseLong(name);
                    all.add(new long[] {pid, Long.parseLong(f[1]), Long.parseLong(f[11]) + Long.parseLong(f[12])});
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmd.contains(program) && cmd.matches(".*[ :]" + port + "( .*|$)")) {
                        roots.add(pid);
                    }
                } catch (IOException | RuntimeException gone) {
                    // the process exited while being read
                }
            }
        } catch (IOException e) {
            return 0;
        }
        long ticks = 0;
        for (long[] proc : all) {
            if (roots.contains(proc[0]) || roots.contains(proc[1])) {
                ticks += proc[2];
            }
        }
        return ticks / TICKS_PER_SECOND;
    }
}
