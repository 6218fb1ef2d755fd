package dev.profilestore.cli.play;

import dev.profilestore.minestom.example.Bot;
import dev.profilestore.minestom.example.GameText;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One player of {@code play}: a protocol {@link Bot} and the loop that plays it (join, earn a while, sometimes give a
 * coin, {@code /hop}, follow the transfer, rejoin elsewhere when its server dies), and what the servers told it,
 * for the audit.
 */
final class PlayBot implements Bot.Listener {

    /** How long a bot waits for any sign of progress before the run fails. */
    private static final Duration STUCK = Duration.ofSeconds(90);
    /**
     * How long a bot waits for its profile to go live after it connected before it gives the server up and joins
     * another, as a player would: longer than the servers' 30 s login timeout, so a server that refuses in time is
     * never given up on.
     */
    private static final Duration LOGIN_MAX = Duration.ofSeconds(40);

    private sealed interface Event {
        long connection();
    }

    private record Line(long connection, String[] fields, long nanos) implements Event {
    }

    private record Transfer(long connection, int port, long nanos) implements Event {
    }

    private record Gone(long connection, String reason, long nanos) implements Event {
    }

    private final Bot bot;
    private final int home;
    private final PlayNetwork network;
    private final Random random;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile boolean stopping;
    private volatile long hopsDone;
    private volatile long redirected;
    private volatile long loginsAbandoned;
    /** When the current connection was opened, until its profile is live; 0 once live. */
    private long joinedAt;
    private volatile String state = "new";
    // What the servers told this bot, for the audit; guarded by this.
    private final Map<String, Long> reported = new HashMap<>();
    private final Map<String, Long> acknowledged = new HashMap<>();
    private final Set<String> giftsSent = new HashSet<>();

    PlayBot(String name, int home, PlayNetwork network, Random random) {
        this.bot = new Bot(name, this);
        this.home = home;
        this.network = network;
        this.random = random;
    }

    String name() {
        return bot.name();
    }

    String key() {
        return bot.key();
    }

    long hopsDone() {
        return hopsDone;
    }

    long redirected() {
        return redirected;
    }

    long loginsAbandoned() {
        return loginsAbandoned;
    }

    String status() {
        return name() + ": " + state + ", " + hopsDone + " hops";
    }

    /** Coins earned by session epoch, as the action bar last said. */
    synchronized Map<String, Long> reported() {
        return Map.copyOf(reported);
    }

    /** Coins earned by session epoch, as the last save acknowledged to the bot said. */
    synchronized Map<String, Long> acknowledged() {
        return Map.copyOf(acknowledged);
    }

    /** Gift ids whose message the sender's server acknowledged. */
    synchronized Set<String> giftsSent() {
        return Set.copyOf(giftsSent);
    }

    CompletableFuture<Void> start() {
        var done = new CompletableFuture<Void>();
        Thread.ofPlatform().daemon().name(name() + "-driver").start(() -> {
            try {
                play();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(new IllegalStateException(name() + " failed while " + state + ": " + t, t));
            }
        });
        return done;
    }

    /** Leaves the server (the server saves the profile on quit). */
    void stop() {
        stopping = true;
        bot.close();
    }

    private void play() throws Exception {
        int hops = network.config().hops();
        long connection;
        try {
            connection = join(network.port(home), false);
        } catch (IOException e) {
            connection = joinAny(network.port(home)); // its home server was killed as the run began
        }
        long transferNanos = 0;
        long goneNanos = 0;
        long hopAt = Long.MAX_VALUE;
        long lastProgress = System.nanoTime();
        while (hopsDone < hops && !stopping) {
            long loginDeadline = joinedAt == 0 ? Long.MAX_VALUE : joinedAt + LOGIN_MAX.toNanos();
            long wait = Math.max(1, Math.min(Math.min(hopAt, loginDeadline), lastProgress + STUCK.toNanos())
                    - System.nanoTime());
            Event event = events.poll(wait, TimeUnit.NANOSECONDS);
            long now = System.nanoTime();
            if (event == null) {
                if (now - lastProgress > STUCK.toNanos()) {
                    throw new IllegalStateException("no progress for " + STUCK);
                }
                if (now >= loginDeadline) {
                    loginsAbandoned++;
                    transferNanos = 0;
                    state = "giving up a login that did not finish in " + LOGIN_MAX;
                    bot.close();
                    connection = joinAny(-1);
                    continue;
                }
                if (now >= hopAt) {
                    maybeGift();
                    state = "hopping";
                    bot.command("hop");
                    // A hop the server could not start (the profile was mid-save) is asked for again.
                    hopAt = now + TimeUnit.SECONDS.toNanos(5);
                }
                continue;
            }
            if (event.connection() != connection) {
                continue; // a late event of a connection this bot already left
            }
            switch (event) {
                case Line line -> {
                    lastProgress = now;
                    if (record(line.fields())) {
                        // live on a server
                        joinedAt = 0;
                        if (transferNanos != 0) {
                            long[] phases = bot.phases();
                            long loadMicros = line.fields().length > 4 ? Long.parseLong(line.fields()[4]) : -1;
                            network.hopMeasured(line.nanos() - transferNanos, phases[0] - transferNanos,
                                    phases[1] - phases[0], phases[2] - phases[1], line.nanos() - phases[2], loadMicros);
                            hopsDone++;
                            transferNanos = 0;
                        }
                        if (goneNanos != 0) {
                            network.reconnectMeasured(line.nanos() - goneNanos);
                            goneNanos = 0;
                        }
                        state = "playing";
                        hopAt = now + TimeUnit.MILLISECONDS.toNanos(150 + random.nextInt(300));
                    }
                }
                case Transfer transfer -> {
                    lastProgress = now;
                    hopAt = Long.MAX_VALUE;
                    state = "transferring to " + transfer.port();
                    bot.close();
                    try {
                        connection = join(transfer.port(), true);
                        transferNanos = transfer.nanos();
                    } catch (IOException e) {
                        // The next server is down (killed, restarting): join another one; not a measured hop.
                        redirected++;
                        hopsDone++;
                        connection = joinAny(transfer.port());
                    }
                }
                case Gone gone -> {
                    lastProgress = now;
                    hopAt = Long.MAX_VALUE;
                    transferNanos = 0;
                    goneNanos = gone.nanos();
                    state = "rejoining after " + (gone.reason() == null ? "the connection closed" : gone.reason());
                    connection = joinAny(-1);
                }
            }
        }
        state = "done";
    }

    /** Records a profile line; true when it says the profile is live. */
    private synchronized boolean record(String[] f) {
        switch (f[0]) {
            case GameText.EARNED -> reported.merge(f[1], Long.parseLong(f[2]), Math::max);
            case GameText.SAVED -> acknowledged.merge(f[1], Long.parseLong(f[2]), Math::max);
            case GameText.GIFT_SENT -> giftsSent.add(f[1]);
            case GameText.LIVE -> {
                return true;
            }
            default -> {
            }
        }
        return false;
    }

    private void maybeGift() {
        if (random.nextDouble() >= network.config().giftChance()) {
            return;
        }
        List<String> others = network.botNames().stream().filter(n -> !n.equals(name())).toList();
        if (!others.isEmpty()) {
            bot.command("gift " + others.get(random.nextInt(others.size())) + " 1");
        }
    }

    private long join(int port, boolean transfer) throws IOException {
        state = "joining " + port;
        long connection = bot.connect("127.0.0.1", port, transfer);
        joinedAt = System.nanoTime();
        return connection;
    }

    /** Joins any live server (not {@code avoid}), retrying while none is up. */
    private long joinAny(int avoid) throws InterruptedException {
        long deadline = System.nanoTime() + STUCK.toNanos();
        while (System.nanoTime() < deadline) {
            int port = network.livePort(random, avoid);
            if (port > 0) {
                try {
                    return join(port, false);
                } catch (IOException e) {
                    // it died meanwhile: pick again
                }
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException("no live server to join for " + STUCK);
    }

    @Override
    public void line(Bot bot, long connection, String[] fields, long nanos) {
        events.add(new Line(connection, fields, nanos));
    }

    @Override
    public void transfer(Bot bot, long connection, String host, int port, long nanos) {
        events.add(new Transfer(connection, port, nanos));
    }

    @Override
    public void disconnected(Bot bot, long connection, String reason) {
        events.add(new Gone(connection, reason, System.nanoTime()));
    }
}
