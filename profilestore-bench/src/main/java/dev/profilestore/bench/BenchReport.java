package dev.profilestore.bench;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.List;

/**
 * Everything one {@link Bench#run} measured. Serializes to JSON with Jackson as is ({@link Bench#toJson}).
 *
 * @param mode "short", "full" or "tiny"
 * @param machine where it ran
 * @param handoff scenario 1 per backend and case
 * @param throughput scenario 2 per backend
 * @param writeCost scenario 3
 * @param memory scenario 4, per profile count
 * @param smoothness scenario 5
 * @param baselines scenario 6 (and ours on the same Redis, for comparison)
 * @param micro JMH results
 * @param targets the brief's aims, each marked pass or miss
 * @param charts PNG files written
 * @param seconds wall time of the run
 */
public record BenchReport(String mode, Machine machine, List<Handoff> handoff, List<Throughput> throughput,
                          WriteCost writeCost, List<Memory> memory, Smoothness smoothness, List<Handoff> baselines,
                          List<Micro> micro, List<Target> targets, List<String> charts, double seconds) {

    /**
     * The machine.
     *
     * @param cores available processors
     * @param maxHeapMiB the JVM's maximum heap
     * @param java the Java runtime version
     * @param os operating system and architecture
     */
    public record Machine(int cores, long maxHeapMiB, String java, String os) {
        static Machine current() {
            return new Machine(Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                    System.getProperty("java.runtime.version"), System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        }
    }

    /**
     * One handoff distribution.
     *
     * @param backend the backend
     * @param scenario the case: "live holder", "notification lost", "re-asked during handoff", "holder crashed", or
     *     a baseline's name
     * @param latency from asking to holding
     * @param leaseMs the lease, for the crashed-holder case
     * @param p99OverLease p99 divided by the lease, for the crashed-holder case
     */
    public record Handoff(String backend, String scenario, Dist latency, Double leaseMs, Double p99OverLease) {}

    /**
     * Session cycles per second, ours against the raw driver.
     *
     * @param backend the backend
     * @param workers threads on each side
     * @param oursPerSecond cycles per second through the library
     * @param rawPerSecond cycles per second of the raw driver doing the same round trips
     * @param ratio ours over raw (aim: at least 0.8)
     * @param oursCycle one cycle's latency through the library
     * @param rawCycle one cycle's latency, raw
     * @param payloadBytes the record size written
     */
    public record Throughput(String backend, int workers, double oursPerSecond, double rawPerSecond, double ratio,
                             Dist oursCycle, Dist rawCycle, int payloadBytes) {}

    /**
     * Store writes per profile-hour.
     *
     * @param profiles loaded profiles
     * @param idleWritesPerProfileHour record writes per idle profile-hour (aim: at most 1)
     * @param idleReadsPerProfileHour record reads per idle profile-hour (the auto-save check of an unchanged profile)
     * @param activeWritesPerProfileHour record writes per profile-hour when every save has changes
     * @param leaseWritesPerServerHour lease renewals per server-hour
     * @param leaseWritesPerProfileHour lease renewals shared over the loaded profiles
     * @param originalWritesPerProfileHour the original's schedule (300 s auto-save: 12)
     */
    public record WriteCost(int profiles, double idleWritesPerProfileHour, double idleReadsPerProfileHour,
                            double activeWritesPerProfileHour, double leaseWritesPerServerHour,
                            double leaseWritesPerProfileHour, double originalWritesPerProfileHour) {}

    /**
     * Heap per loaded profile.
     *
     * @param profiles loaded profiles
     * @param bytesBeyondData per profile, beyond the data object itself (aim: at most 2048)
     * @param dataBytes the data object's own size
     * @param totalBytes per profile in all
     */
    public record Memory(int profiles, double bytesBeyondData, double dataBytes, double totalBytes) {}

    /**
     * Auto-save writes per simulated second.
     *
     * @param profiles loaded profiles, all changing
     * @param periodSeconds the auto-save period
     * @param meanPerSecond mean writes per second from {@code fromSecond} on
     * @param maxPerSecond the busiest second
     * @param minPerSecond the quietest second
     * @param maxOverMean max divided by mean (1 is perfectly even)
     * @param fromSecond the first second counted (loads and the first half-period are left out)
     * @param perSecond writes in each simulated second, from 0
     */
    public record Smoothness(int profiles, int periodSeconds, double meanPerSecond, long maxPerSecond, long minPerSecond,
                             double maxOverMean, int fromSecond, @JsonIgnore long[] perSecond) {}

    /**
     * One JMH result.
     *
     * @param benchmark the benchmark method
     * @param score the score
     * @param error the 99.9% error
     * @param unit the unit
     */
    public record Micro(String benchmark, double score, double error, String unit) {}

    /**
     * One of the brief's aims.
     *
     * @param what the quantity
     * @param aim the target
     * @param measured what this run measured
     * @param pass whether it met the aim
     */
    public record Target(String what, String aim, String measured, boolean pass) {}
}
