package dev.profilestore.minestom.example;

import dev.profilestore.Profile;
import dev.profilestore.ProfileStore;
import dev.profilestore.StoreConnection;
import dev.profilestore.minecraft.PolicySettings;
import dev.profilestore.minestom.MinestomProfiles;
import net.kyori.adventure.text.Component;
import net.minestom.server.MinecraftServer;
import net.minestom.server.command.builder.Command;
import net.minestom.server.command.builder.arguments.ArgumentType;
import net.minestom.server.coordinate.Pos;
import net.minestom.server.entity.Player;
import net.minestom.server.event.player.AsyncPlayerConfigurationEvent;
import net.minestom.server.event.player.PlayerSpawnEvent;
import net.minestom.server.instance.InstanceContainer;
import net.minestom.server.instance.block.Block;
import net.minestom.server.timer.TaskSchedule;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The example game server: a flat world where players earn a coin on a timer, {@code /hop} sends them to the next
 * server with the transfer packet, and {@code /gift <player> <coins>} gives coins through a durable message. The
 * action bar shows the coins and the server. One JVM per server; {@code ./profilestore play} starts several.
 *
 * <p>Arguments: {@code <server id> <port> <next host:port> <store name> <earn period ms> <lease ms>}; the store
 * URI comes from the {@value #STORE_VARIABLE} environment variable (a password there is not visible to other
 * users of the machine). Prints {@code READY} when it takes players, and stops (saving every profile) when its
 * standard input says {@code STOP} or closes.
 */
public final class GameServer {

    /** The environment variable holding the store URI. */
    public static final String STORE_VARIABLE = "PROFILESTORE_PLAY_STORE";
    /** The store name the example uses unless told otherwise. */
    public static final String STORE_NAME = "Players";

    private final String id;
    private final String nextHost;
    private final int nextPort;
    private final MinestomProfiles<Wallet> profiles;
    private final ProfileStore<Wallet> store;

    private GameServer(String id, String next, ProfileStore<Wallet> store, Duration earnEvery) {
        this.id = id;
        this.nextHost = next.substring(0, next.lastIndexOf(':'));
        this.nextPort = Integer.parseInt(next.substring(next.lastIndexOf(':') + 1));
        this.store = store;
        InstanceContainer world = MinecraftServer.getInstanceManager().createInstanceContainer();
        world.setGenerator(unit -> unit.modifier().fillHeight(0, 40, Block.GRASS_BLOCK));
        var events = MinecraftServer.getGlobalEventHandler();
        events.addListener(AsyncPlayerConfigurationEvent.class, e -> {
            e.setSpawningInstance(world);
            e.getPlayer().setRespawnPoint(new Pos(0, 40, 0));
        });
        this.profiles = MinestomProfiles.bind(store, PolicySettings.defaults().withLoginTimeout(Duration.ofSeconds(30)));
        profiles.onMessage((handle, profile, message, processed) -> {
            var gift = new Wallet.GiftMessage(message.body().get("id").asText(), message.body().get("coins").asLong());
            profile.data().receive(gift);
            processed.run();
            Player player = MinecraftServer.getConnectionManager().getOnlinePlayerByUuid(handle.id());
            if (player != null) {
                player.sendMessage(GameText.line(GameText.GIFT_GOT, gift.id(), gift.coins()));
            }
        });
        events.addListener(PlayerSpawnEvent.class, e -> {
            if (e.isFirstSpawn()) {
                joined(e.getPlayer(), earnEvery);
            }
        });
        var commands = MinecraftServer.getCommandManager();
        var hop = new Command("hop");
        hop.setDefaultExecutor((sender, context) -> {
            if (sender instanceof Player player) {
                profiles.transfer(player, nextHost, nextPort);
            }
        });
        commands.register(hop);
        var gift = new Command("gift");
        var to = ArgumentType.Word("player");
        var coins = ArgumentType.Integer("coins").min(1);
        gift.addSyntax((sender, context) -> {
            if (sender instanceof Player player) {
                gift(player, context.get(to), context.get(coins));
            }
        }, to, coins);
        commands.register(gift);
    }

    /** The profile is live here: say so, show the coins, start earning, and send what the outbox still holds. */
    private void joined(Player player, Duration earnEvery) {
        Profile<Wallet> profile = profiles.profile(player).orElse(null);
        if (profile == null) {
            return; // refused or already leaving: the policy kicks
        }
        String epoch = Long.toString(profile.epoch());
        long loadMicros = profiles.loadTime(player).map(d -> d.toNanos() / 1000).orElse(-1L);
        player.sendMessage(GameText.line(GameText.LIVE, id, epoch, profile.data().coins, loadMicros));
        profile.onAfterSave().connect(saved -> player.sendMessage(
                GameText.line(GameText.SAVED, epoch, saved.earned.getOrDefault(epoch, 0L))));
        player.scheduler().buildTask(() -> {
            var earnedNow = new AtomicLong();
            boolean applied = profiles.change(player, w -> {
                w.coins++;
                earnedNow.set(w.earned.merge(epoch, 1L, Long::sum));
            });
            if (applied) {
                long balance = profile.data().coins;
                player.sendActionBar(Component.text(id + " | " + balance + " coins | "
                        + GameText.line(GameText.EARNED, epoch, earnedNow.get())));
            }
        }).delay(TaskSchedule.millis(earnEvery.toMillis())).repeat(TaskSchedule.millis(earnEvery.toMillis())).schedule();
        for (Map.Entry<String, Wallet.Gift> e : Map.copyOf(profile.data().outbox).entrySet()) {
            deliver(player, profile, e.getKey(), e.getValue());
        }
    }

    /** {@code /gift}: pays on the player's thread, then delivers once the payment is saved. */
    private void gift(Player player, String toName, int coins) {
        String giftId = UUID.randomUUID().toString();
        var gift = new Wallet.Gift(GameText.keyOfName(toName), coins);
        var paid = new AtomicReference<Boolean>(false);
        boolean applied = profiles.change(player, w -> {
            if (w.coins >= coins && !gift.to().equals(player.getUuid().toString())) {
                w.coins -= coins;
                w.outbox.put(giftId, gift);
                paid.set(true);
            }
        });
        if (!applied) {
            player.sendMessage(GameText.line(GameText.REFUSED, "gift"));
            return;
        }
        if (paid.get()) {
            profiles.profile(player).ifPresent(profile -> deliver(player, profile, giftId, gift));
        }
    }

    /**
     * Sends a paid gift: saves the payment (with the gift in the outbox), writes the message, then moves the gift
     * from the outbox to sent. A crash in between leaves it in the outbox, and the next load sends it again: the
     * recipient applies a gift id once.
     */
    private void deliver(Player player, Profile<Wallet> profile, String giftId, Wallet.Gift gift) {
        profile.saveAsync()
                .thenCompose(v -> store.messageAsync(gift.to(), new Wallet.GiftMessage(giftId, gift.coins())))
                .thenRun(() -> player.scheduler().scheduleNextTick(() -> {
                    boolean moved = profiles.change(player, w -> {
                        if (w.outbox.remove(giftId) != null) {
                            w.sent.put(giftId, gift.coins());
                        }
                    });
                    if (moved) {
                        player.sendMessage(GameText.line(GameText.GIFT_SENT, giftId, gift.coins()));
                    }
                }));
    }

    /**
     * Opens the store as a game server of the example network does (also the auditor of {@code play}).
     *
     * @param connection the opened store connection
     * @param name the store name
     * @param serverId this server's id
     * @param lease how long this server's locks outlive it if it dies
     * @return the store
     */
    public static ProfileStore<Wallet> openStore(StoreConnection connection, String name, String serverId, Duration lease) {
        var builder = ProfileStore.builder(name, Wallet.class, Wallet::new)
                .storage(connection.storage())
                .serverId(serverId)
                .appId("minestom-example")
                .lease(lease)
                .autoSavePeriod(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(20), Duration.ofMillis(200))
                .backoff(Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(1))
                .closeTimeout(Duration.ofSeconds(15));
        if (connection.messaging() != null) {
            builder.messaging(connection.messaging());
        } else {
            builder.withoutMessaging();
        }
        return builder.build();
    }

    /**
     * Starts one server.
     *
     * @param args {@code <server id> <port> <next host:port> <store name> <earn period ms> <lease ms>}
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 6) {
            throw new IllegalArgumentException("usage: <server id> <port> <next host:port> <store name> <earn ms> <lease ms>");
        }
        String uri = System.getenv(STORE_VARIABLE);
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("the store URI is missing: set " + STORE_VARIABLE);
        }
        var server = MinecraftServer.init();
        var connection = StoreConnection.open(uri);
        var store = openStore(connection, args[3], args[0], Duration.ofMillis(Long.parseLong(args[5])));
        new GameServer(args[0], args[2], store, Duration.ofMillis(Long.parseLong(args[4])));
        MinecraftServer.getSchedulerManager().buildShutdownTask(connection::close);
        server.start("127.0.0.1", Integer.parseInt(args[1]));
        System.out.println("READY");
        System.out.flush();
        try (var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("STOP")) {
                    break;
                }
            }
        }
        MinecraftServer.stopCleanly();
        System.exit(0);
    }
}
