/**
 * Internal to the Redis backend: its key layout and its Lua scripts. Not API: the module exports this package
 * only to the benchmark module, whose raw-driver baseline issues exactly the backend's commands and so reuses the
 * layout instead of copying it (a copy could drift and the comparison would measure something else).
 */
package dev.profilestore.redis.internal;
