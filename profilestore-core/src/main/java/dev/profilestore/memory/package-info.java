/**
 * The in-memory store and message hub: a product feature (the original's Mock), the reference
 * implementation of both SPIs, and the backend of single-JVM tests.
 */
package dev.profilestore.memory;
