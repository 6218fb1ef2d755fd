/**
 * Fault injection: decorators that make one server's storage unreachable or fail, and lose its
 * messages, so tests and the demo can crash servers and cut connections without mocks.
 */
package dev.profilestore.testkit.faults;
