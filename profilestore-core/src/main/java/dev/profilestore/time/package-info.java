/**
 * Time as a dependency: the engine reads clocks and schedules timers only through
 * {@link dev.profilestore.time.Scheduler}, so tests run the protocol's 5 s, 45 s and 630 s timelines in
 * microseconds with a {@link dev.profilestore.time.ManualScheduler}.
 */
package dev.profilestore.time;
