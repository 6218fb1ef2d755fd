/** JMH micro benchmarks of the save path; run by {@link dev.profilestore.bench.Bench} or JMH's own main. */
package dev.profilestore.bench.jmh;
