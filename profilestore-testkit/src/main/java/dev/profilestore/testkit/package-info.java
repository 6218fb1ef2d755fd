/**
 * What a backend author runs to prove a storage works with ProfileStore:
 * {@link dev.profilestore.testkit.SessionScenarios}, the behaviour scenarios of the original plus the
 * two-server timelines of the lock protocol, on a manual clock; subclass it with your storage;
 * and the conformance suites {@link dev.profilestore.testkit.StorageContract} and
 * {@link dev.profilestore.testkit.MessagingContract}, to check a backend against the SPI on a real instance.
 */
package dev.profilestore.testkit;
