/**
 * What a backend author runs to prove a storage works with ProfileStore. Subclass, in the backend's
 * tests, on a real instance of the backend:
 * <ul>
 * <li>{@link dev.profilestore.testkit.StorageContract} and {@link dev.profilestore.testkit.MessagingContract}:
 *     the SPIs' specifications, method by method;</li>
 * <li>{@link dev.profilestore.testkit.SessionScenarios}: the behaviour scenarios of the original plus the
 *     two-server timelines of the lock protocol, on a manual clock.</li>
 * <li>{@link dev.profilestore.testkit.ServerFailureScenarios}: the real server restarting, connections killed
 *     during saves and messages, and messaging connections killed during handoffs, in real time.</li>
 * </ul>
 */
package dev.profilestore.testkit;
