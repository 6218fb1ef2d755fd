/**
 * The deterministic simulator: several servers over one store, one simulated clock, one seed, faults
 * injected on purpose, and a checker of the product's properties after every step.
 *
 * <ul>
 * <li>{@link dev.profilestore.testkit.sim.Simulation#run} runs one seed and returns a
 *     {@link dev.profilestore.testkit.sim.SimReport}; {@link dev.profilestore.testkit.sim.Simulation#shrink}
 *     finds the shortest failing run of a failed seed.</li>
 * <li>{@link dev.profilestore.testkit.sim.Torture#run} runs many seeds, in parallel, and sums them up
 *     in a {@link dev.profilestore.testkit.sim.TortureReport}.</li>
 * <li>{@link dev.profilestore.testkit.sim.SimConfig} says what a run does:
 *     {@link dev.profilestore.testkit.sim.FaultMix} (how often each
 *     {@link dev.profilestore.testkit.sim.FaultKind} strikes),
 *     {@link dev.profilestore.testkit.sim.Workload}, the store
 *     ({@link dev.profilestore.testkit.sim.StorageFactory}), and two test-only switches that break
 *     safety on purpose, to prove the checker can fail.</li>
 * </ul>
 *
 * <p>How interleavings arise: each server's I/O executor runs every store call on the simulated clock
 * after a random latency, control messages travel through the same clock, and callback executors run
 * tasks at once (held while a server is paused, dropped once it crashed). One thread advances the
 * clock, so a seed always makes the same choices. See docs/reliability.md for the fault model and the
 * invariants.
 */
package dev.profilestore.testkit.sim;
