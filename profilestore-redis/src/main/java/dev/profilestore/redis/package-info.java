/** Redis backend. */
package dev.profilestore.redis;
