/**
 * The session engine: the lock protocol, saves, auto-save, messages and shutdown.
 * Internal: only {@link dev.profilestore.engine.Settings} and {@link dev.profilestore.engine.StoreEngine#create} are
 * public, for the builder; and {@link dev.profilestore.engine.RecordAccess}, for {@code dev.profilestore.admin}.
 *
 * <h2>Layers</h2>
 * Every call goes down; a layer learns of what happens above it only through events it subscribes to.
 * <ol>
 * <li>The facade: {@code StoreEngine} (the {@code ProfileStore}), {@code ActiveProfile} and {@code ViewProfile}
 *     (the game's profiles); it also hands incoming control messages to the session layer.</li>
 * <li>Session operations: {@code AutoSaver}, {@code MessageWriter} and {@code CommitWriter} save through
 *     {@code SessionWriter}; {@code SessionStarter} starts sessions.</li>
 * <li>{@code Sessions}: who is loaded and in which state (ACTIVE, ENDING, ENDED); it publishes the transitions,
 *     which the starter and the auto-saver listen to.</li>
 * <li>{@code RecordUpdater}: the loop, store calls with their timeout, the per-key queue, the codecs, the
 *     read-plan-compare-and-set loop, the one retry helper, control messages out and the server lease.</li>
 * <li>The SPIs: {@code Storage} and {@code Messaging}.</li>
 * </ol>
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
 * <li><b>Handoff by hint, correctness by store.</b> A requester asks the holder's server by message; the
 *     holder's last save writes the lock for the requester in the same compare-and-set and sends it the
 *     record, on which it begins. A lost hint only means the requester's doubling poll (100 ms to 2 s)
 *     re-reads and writes its request into the record.</li>
 * <li><b>Server leases.</b> Each server renews one lease in the store (store clock) every third of
 *     the lease; a profile whose holder's lease ran out is taken over at once. So idle profiles cost
 *     no writes, and no decision compares two servers' wall clocks.</li>
 * <li><b>Per-key FIFO.</b> Store calls for one key from one server run one at a time, in order, so
 *     an end-then-start on the same server always sees the release.</li>
 * </ul>
 */
package dev.profilestore.engine;
