/**
 * The benchmark harness: {@link dev.profilestore.bench.Bench#run} runs the scenarios and returns a
 * {@link dev.profilestore.bench.BenchReport}; {@link dev.profilestore.bench.Servers} starts the database servers on
 * loopback; {@link dev.profilestore.bench.HandoffTrace} prints handoff timelines for diagnosis. See
 * {@code docs/benchmarks.md}.
 */
package dev.profilestore.bench;
