package dev.profilestore.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profilestore.Profile;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.testkit.PlayerData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenarios 3 to 5, on the in-memory store and the manual clock: store writes per profile-hour (idle and active),
 * memory per loaded profile, and auto-save smoothness.
 */
final class SimScenarios {

    private static final Logger LOG = LoggerFactory.getLogger(SimScenarios.class);

    /** The original ProfileStore saves every loaded profile every 300 s: 12 writes per profile-hour. */
    static final double ORIGINAL_WRITES_PER_PROFILE_HOUR = 3600.0 / 300.0;

    private SimScenarios() {}

    /** Scenario 3: writes over the second simulated hour (the first hour contains the loads). */
    static BenchReport.WriteCost writeCost(int profiles) {
        double idleWrites;
        double idleReads;
        double leaseWrites;
        try (ManualCluster c = new ManualCluster(0)) {
            c.start(profiles, false);
            c.advance(Duration.ofHours(1));
            long w0 = c.storage.writes();
            long r0 = c.storage.reads();
            long l0 = c.storage.leaseWrites();
            c.advance(Duration.ofHours(1));
            idleWrites = (c.storage.writes() - w0) / (double) profiles;
            idleReads = (c.storage.reads() - r0) / (double) profiles;
            leaseWrites = c.storage.leaseWrites() - l0;
        }
        double activeWrites;
        try (ManualCluster c = new ManualCluster(0)) {
            c.start(profiles, true);
            c.advance(Duration.ofHours(1));
            long w0 = c.storage.writes();
            c.advance(Duration.ofHours(1));
            activeWrites = (c.storage.writes() - w0) / (double) profiles;
        }
        LOG.info("writes per profile-hour: idle {}, active {}; lease writes per server-hour {}", idleWrites, activeWrites,
                leaseWrites);
        return new BenchReport.WriteCost(profiles, idleWrites, idleReads, activeWrites, leaseWrites,
                leaseWrites / profiles, ORIGINAL_WRITES_PER_PROFILE_HOUR);
    }

    /** Scenario 4: heap per loaded profile beyond its data. */
    static BenchReport.Memory memory(int profiles) {
        try (ManualCluster c = new ManualCluster(0)) {
            List<Profile<PlayerData>> first = c.start(profiles, false);
            c.end(first);
            first = null;
            long payloadReleased = payloadBytes(c, profiles);
            long h1 = usedAfterGc();
            c.start(profiles, false); // the engine keeps them; no list of ours is kept
            long payloadHeld = payloadBytes(c, profiles);
            long h2 = usedAfterGc();
            double perSession = (h2 - h1 - (payloadHeld - payloadReleased)) / (double) profiles;
            double data = dataBytes(c, profiles);
            LOG.info("{} profiles: {} bytes per session, of which data {}", profiles, Math.round(perSession), Math.round(data));
            return new BenchReport.Memory(profiles, perSession - data, data, perSession);
        }
    }

    /** The heap the data objects alone take: {@code profiles} copies decoded from a saved profile's JSON. */
    private static double dataBytes(ManualCluster c, int profiles) {
        ObjectMapper mapper = new ObjectMapper();
        try {
            byte[] json = mapper.writeValueAsBytes(new PlayerData());
            long before = usedAfterGc();
            List<PlayerData> copies = new ArrayList<>(profiles);
            for (int i = 0; i < profiles; i++) {
                copies.add(mapper.readValue(json, PlayerData.class));
            }
            long after = usedAfterGc();
            double listCost = 16 + 4.0 * profiles; // the ArrayList's own array (compressed oops)
            double perProfile = (after - before - listCost) / profiles;
            if (copies.size() != profiles) {
                throw new IllegalStateException("unreachable");
            }
            return perProfile;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long payloadBytes(ManualCluster c, int profiles) {
        long sum = 0;
        for (int i = 0; i < profiles; i++) {
            sum += c.memory.read("Sim", "player-" + i).map(StoredRecord::payload).map(p -> (long) align(p.length)).orElse(0L);
        }
        return sum;
    }

    private static int align(int bytes) {
        return (16 + bytes + 7) / 8 * 8; // array header and 8-byte alignment
    }

    static long usedAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(40);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Scenario 5: writes per simulated second with every profile changing, over two auto-save periods. */
    static BenchReport.Smoothness smoothness(int profiles) {
        int seconds = 900;
        int from = 300;
        long[] perSecond = new long[seconds];
        try (ManualCluster c = new ManualCluster(0)) {
            c.start(profiles, true);
            long last = c.storage.writes();
            for (int s = 0; s < seconds; s++) {
                c.advance(Duration.ofSeconds(1));
                long now = c.storage.writes();
                perSecond[s] = now - last;
                last = now;
            }
        }
        long max = 0;
        long sum = 0;
        long min = Long.MAX_VALUE;
        for (int s = from; s < seconds; s++) {
            max = Math.max(max, perSecond[s]);
            min = Math.min(min, perSecond[s]);
            sum += perSecond[s];
        }
        double mean = sum / (double) (seconds - from);
        LOG.info("auto-save with {} profiles: mean {} writes/s, max {}, min {}", profiles, mean, max, min);
        return new BenchReport.Smoothness(profiles, 300, mean, max, min, max / mean, from, perSecond);
    }
}
