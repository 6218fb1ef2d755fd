package dev.profilestore.cli.play;

import dev.profilestore.cli.demo.DemoReport;

import java.util.List;
import java.util.Map;

/**
 * The report of {@code play}; serialized with snake_case names for {@code --json}.
 *
 * @param clean whether the audit found nothing wrong
 * @param hops hops that completed (transfer packet, then the profile live on the next server)
 * @param hopLatencyMs from the transfer packet's arrival at the bot to the bot's profile being live on the next server
 * @param hopPhasesMs the parts of a measured hop: {@code connect} (transfer packet to TCP connection), {@code login}
 *     (to login success), {@code configuration} (to the end of the configuration phase; the next server loads the
 *     profile in it), {@code spawn} (to the profile line in play), and {@code profile_load} (the session start itself,
 *     as the next server timed it)
 * @param hopsRedirected hops whose target server was down (killed, restarting): the bot joined another one
 * @param loginsAbandoned logins a bot gave up on because its profile was not live 40 s after it connected (0
 *     expected: a server refuses a login it cannot serve within its 30 s login timeout)
 * @param serverKills servers killed with SIGKILL (each restarted)
 * @param reconnects bots that reconnected after their server was killed
 * @param reconnectLatencyMs from the bot seeing its connection drop to its profile being live elsewhere (includes
 *     the wait for the killed server's lease)
 * @param coinsEarnedReported coins the servers told the bots they earned (action bar), saved or not
 * @param coinsAcknowledged coins the servers told the bots were saved
 * @param coinsEarnedStored coins earned that the store holds
 * @param coinsStored the coin balances in the store
 * @param duplicatedCoins coins in the store that were never earned or paid for (0 expected)
 * @param lostCoins acknowledged coins or paid gifts the store does not hold (0 expected)
 * @param giftsSent gifts whose message the sender's server acknowledged
 * @param giftsPaid gifts paid for, as the senders' stored profiles say
 * @param giftsApplied gifts applied, as the recipients' stored profiles say (each at most once per recipient)
 * @param problems what the audit found, if anything
 * @param servers game servers
 * @param bots bots
 * @param seed the seed
 * @param store where the data lives
 * @param elapsedS seconds the run took, server starts and audit included
 */
public record PlayReport(boolean clean, long hops, DemoReport.Latency hopLatencyMs,
                         Map<String, DemoReport.Latency> hopPhasesMs, long hopsRedirected, long loginsAbandoned, int serverKills,
                         long reconnects, DemoReport.Latency reconnectLatencyMs, long coinsEarnedReported,
                         long coinsAcknowledged, long coinsEarnedStored, long coinsStored, long duplicatedCoins,
                         long lostCoins, long giftsSent, long giftsPaid, long giftsApplied, List<String> problems,
                         int servers, int bots, long seed, String store, double elapsedS) {
}
