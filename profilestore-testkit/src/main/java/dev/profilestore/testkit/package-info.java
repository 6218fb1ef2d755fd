/**
 * Conformance suites for backend authors: subclass {@link dev.profilestore.testkit.StorageContract} and
 * {@link dev.profilestore.testkit.MessagingContract} in a backend's tests to check it against the SPI's
 * specification, on a real instance of the backend.
 */
package dev.profilestore.testkit;
