/**
 * The session engine: the lock protocol, saves, auto-save, messages and shutdown, in one place.
 * Internal: only {@link dev.profilestore.engine.Settings} and {@link dev.profilestore.engine.StoreEngine#create} are
 * public, for the builder; and {@link dev.profilestore.engine.RecordAccess}, for {@code dev.profilestore.admin}.
 *
 * <h2>Design notes</h2>
 * <ul>
 * <li><b>One event loop per store.</b> All engine state and every user callback live on one serial
 *     executor over the user's callback executor. Roblox's ProfileStore relies on Luau running one
 *     coroutine at a time; this is the JVM form of that guarantee, and it is why a save can snapshot
 *     the data without locks. Store calls run on the I/O executor and hop back.</li>
 * <li><b>The lock lives in the record.</b> A record carries the holder (server, session, epoch) and a
 *     pending takeover request. Every write is a compare-and-set on the record's revision, computed
 *     from a read that showed this session as holder: a stale holder cannot write.</li>
 * <li><b>Handoff by hint, correctness by store.</b> A requester writes its takeover request, then
 *     tells the holder's server over messaging; the holder saves and releases and tells the requester,
 *     which wakes at once. A lost hint only means the requester's doubling poll (100 ms to 2 s)
 *     re-reads and re-sends.</li>
 * <li><b>Server leases.</b> Each server renews one lease in the store (store clock) every third of
 *     the lease; a profile whose holder's lease ran out is taken over at once. So idle profiles cost
 *     no writes, and no decision compares two servers' wall clocks.</li>
 * <li><b>Per-key FIFO.</b> Store calls for one key from one server run one at a time, in order, so
 *     an end-then-start on the same server always sees the release.</li>
 * </ul>
 */
package dev.profilestore.engine;
