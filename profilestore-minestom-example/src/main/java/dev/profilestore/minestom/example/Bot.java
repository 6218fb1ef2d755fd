package dev.profilestore.minestom.example;

import net.kyori.adventure.text.Component;
import net.kyori.adventure.text.serializer.plain.PlainTextComponentSerializer;
import net.minestom.server.MinecraftServer;
import net.minestom.server.network.ConnectionState;
import net.minestom.server.network.NetworkBuffer;
import net.minestom.server.network.packet.PacketVanilla;
import net.minestom.server.network.packet.PacketWriting;
import net.minestom.server.network.packet.client.ClientPacket;
import net.minestom.server.network.packet.client.common.ClientKeepAlivePacket;
import net.minestom.server.network.packet.client.common.ClientPingRequestPacket;
import net.minestom.server.network.packet.client.configuration.ClientFinishConfigurationPacket;
import net.minestom.server.network.packet.client.configuration.ClientSelectKnownPacksPacket;
import net.minestom.server.network.packet.client.handshake.ClientHandshakePacket;
import net.minestom.server.network.packet.client.login.ClientLoginAcknowledgedPacket;
import net.minestom.server.network.packet.client.login.ClientLoginStartPacket;
import net.minestom.server.network.packet.client.play.ClientCommandChatPacket;
import net.minestom.server.network.packet.server.ServerPacket;
import net.minestom.server.network.packet.server.common.DisconnectPacket;
import net.minestom.server.network.packet.server.common.KeepAlivePacket;
import net.minestom.server.network.packet.server.common.PingPacket;
import net.minestom.server.network.packet.server.common.TransferPacket;
import net.minestom.server.network.packet.server.configuration.FinishConfigurationPacket;
import net.minestom.server.network.packet.server.configuration.SelectKnownPacksPacket;
import net.minestom.server.network.packet.server.login.LoginDisconnectPacket;
import net.minestom.server.network.packet.server.login.LoginSuccessPacket;
import net.minestom.server.network.packet.server.login.SetCompressionPacket;
import net.minestom.server.network.packet.server.play.ActionBarPacket;
import net.minestom.server.network.packet.server.play.SystemChatPacket;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Set;
import java.util.UUID;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A Minecraft client that plays the example game over a real TCP connection, speaking the real protocol with
 * Minestom's own packet classes: handshake, offline-mode login, the configuration phase (known packs, finish),
 * play (keep-alive, ping, chat commands), and the transfer packet. It decodes only the packets it acts on and
 * skips the rest (chunks, entities) unread.
 *
 * <p>One connection at a time; {@link #connect} starts a reader thread that reports to the {@link Listener}.
 */
public final class Bot implements AutoCloseable {

    /**
     * What the bot sees; called on the connection's reader thread, with the number {@link #connect} returned for the
     * connection, so a listener can tell a late event of an old connection from the current one's.
     */
    public interface Listener {
        /** A profile line of the game ({@link GameText}), with the time it arrived ({@link System#nanoTime()}). */
        void line(Bot bot, long connection, String[] fields, long nanos);

        /** The server sent the transfer packet. */
        void transfer(Bot bot, long connection, String host, int port, long nanos);

        /** The server ended the connection: kicked with a reason, or closed or killed (reason null). Not after {@link #close()}. */
        void disconnected(Bot bot, long connection, String reason);
    }

    /** The packets the bot decodes; every other packet is skipped. */
    private static final Set<Class<?>> HANDLED = Set.of(SetCompressionPacket.class, LoginSuccessPacket.class,
            LoginDisconnectPacket.class, SelectKnownPacksPacket.class, FinishConfigurationPacket.class,
            KeepAlivePacket.class, PingPacket.class, DisconnectPacket.class, TransferPacket.class, SystemChatPacket.class,
            ActionBarPacket.class);

    private final String name;
    private final UUID uuid;
    private final Listener listener;
    private volatile Connection current;
    private long connections;

    /**
     * A bot.
     *
     * @param name its player name; its UUID is the offline-mode one of the name
     * @param listener what it reports to
     */
    public Bot(String name, Listener listener) {
        this.name = name;
        this.uuid = UUID.fromString(GameText.keyOfName(name));
        this.listener = listener;
    }

    /** The player name. */
    public String name() {
        return name;
    }

    /** The profile key. */
    public String key() {
        return uuid.toString();
    }

    /**
     * Connects and logs in; the rest of the login (configuration, then play) happens on the reader thread.
     *
     * @param port the server's port on 127.0.0.1
     * @param transfer whether this connection follows a transfer packet (the handshake says so)
     * @return this connection's number
     * @throws IOException when the server cannot be reached
     */
    public synchronized long connect(String host, int port, boolean transfer) throws IOException {
        close();
        var socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 5_000);
        var connection = new Connection(socket, ++connections);
        current = connection;
        connection.send(new ClientHandshakePacket(MinecraftServer.PROTOCOL_VERSION, host, port,
                transfer ? ClientHandshakePacket.Intent.TRANSFER : ClientHandshakePacket.Intent.LOGIN));
        connection.state = ConnectionState.LOGIN;
        connection.send(new ClientLoginStartPacket(name, uuid));
        Thread.ofVirtual().name(name + "-reader").start(connection::read);
        return connection.number;
    }

    /** Sends a chat command (without the slash); false when not in play. */
    public boolean command(String command) {
        Connection c = current;
        if (c == null || c.state != ConnectionState.PLAY) {
            return false;
        }
        try {
            c.send(new ClientCommandChatPacket(command));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * When the current connection's login succeeded and its configuration finished ({@link System#nanoTime()}; 0
     * until then): with the time of the transfer and of the first profile line, a hop's latency splits into the
     * login, the configuration (where the server loads the profile) and the spawn.
     *
     * @return {@code [connected, login success, configuration finished]}
     */
    public long[] phases() {
        Connection c = current;
        return c == null ? new long[3] : new long[] {c.connectedNanos, c.loginNanos, c.configuredNanos};
    }

    /** Closes the connection, if any. */
    @Override
    public void close() {
        Connection c = current;
        current = null;
        if (c != null) {
            c.close();
        }
    }

    /** One TCP connection: its state, compression, and reader. */
    private final class Connection {
        private final Socket socket;
        private final long number;
        private final OutputStream out;
        private final Inflater inflater = new Inflater();
        volatile ConnectionState state = ConnectionState.HANDSHAKE;
        final long connectedNanos = System.nanoTime();
        volatile long loginNanos;
        volatile long configuredNanos;
        private int threshold;
        private volatile boolean closed;

        Connection(Socket socket, long number) throws IOException {
            this.socket = socket;
            this.number = number;
            this.out = socket.getOutputStream();
        }

        synchronized void send(ClientPacket packet) throws IOException {
            NetworkBuffer buffer = NetworkBuffer.resizableBuffer();
            PacketWriting.writeFramedPacket(buffer, state, packet, threshold);
            byte[] bytes = new byte[(int) buffer.writeIndex()];
            buffer.copyTo(0, bytes, 0, bytes.length);
            out.write(bytes);
            out.flush();
        }

        void read() {
            String reason = null;
            try (var in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16))) {
                while (!closed) {
                    byte[] frame = new byte[readVarInt(in)];
                    in.readFully(frame);
                    long nanos = System.nanoTime();
                    String kicked = handle(payload(frame), nanos);
                    if (kicked != null) {
                        reason = kicked;
                        break;
                    }
                }
            } catch (IOException | DataFormatException | RuntimeException e) {
                // the server closed the connection, or was killed
            } finally {
                boolean local = closed;
                close();
                if (!local) {
                    listener.disconnected(Bot.this, number, reason);
                }
            }
        }

        /** The packet id and body of a frame, inflated when the server enabled compression. */
        private NetworkBuffer payload(byte[] frame) throws DataFormatException {
            NetworkBuffer buffer = NetworkBuffer.wrap(frame, 0, frame.length);
            if (threshold <= 0) {
                return buffer;
            }
            int dataLength = buffer.read(NetworkBuffer.VAR_INT);
            if (dataLength == 0) {
                return buffer;
            }
            int offset = (int) buffer.readIndex();
            inflater.reset();
            inflater.setInput(frame, offset, frame.length - offset);
            byte[] data = new byte[dataLength];
            int n = 0;
            while (n < dataLength) {
                int got = inflater.inflate(data, n, dataLength - n);
                if (got == 0 && (inflater.finished() || inflater.needsInput())) {
                    break;
                }
                n += got;
            }
            return NetworkBuffer.wrap(data, 0, n);
        }

        /** Acts on one packet; returns a kick reason when the server disconnected the bot. */
        private String handle(NetworkBuffer buffer, long nanos) throws IOException {
            int id = buffer.read(NetworkBuffer.VAR_INT);
            var registry = PacketVanilla.SERVER_PACKET_PARSER.stateRegistry(state);
            var info = registry.packetInfo(id);
            if (info == null || !HANDLED.contains(info.packetClass())) {
                return null;
            }
            ServerPacket packet = info.serializer().read(buffer);
            switch (packet) {
                case SetCompressionPacket p -> threshold = p.threshold();
                case LoginSuccessPacket p -> {
                    loginNanos = nanos;
                    send(new ClientLoginAcknowledgedPacket());
                    state = ConnectionState.CONFIGURATION;
                }
                case SelectKnownPacksPacket p -> send(new ClientSelectKnownPacksPacket(p.entries()));
                case FinishConfigurationPacket p -> {
                    configuredNanos = nanos;
                    send(new ClientFinishConfigurationPacket());
                    state = ConnectionState.PLAY;
                }
                case KeepAlivePacket p -> send(new ClientKeepAlivePacket(p.id()));
                case PingPacket p -> send(new ClientPingRequestPacket(p.id()));
                case TransferPacket p -> listener.transfer(Bot.this, number, p.host(), p.port(), nanos);
                case SystemChatPacket p -> GameText.parse(plain(p.message())).ifPresent(f -> listener.line(Bot.this, number, f, nanos));
                case ActionBarPacket p -> GameText.parse(plain(p.text())).ifPresent(f -> listener.line(Bot.this, number, f, nanos));
                case LoginDisconnectPacket p -> {
                    return plain(p.kickMessage());
                }
                case DisconnectPacket p -> {
                    return plain(p.message());
                }
                default -> {
                }
            }
            return null;
        }

        void close() {
            closed = true;
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    private static String plain(Component component) {
        String text = PlainTextComponentSerializer.plainText().serialize(component);
        // The action bar shows "<server> | <coins> coins | ps earned ...": the profile line is its last part.
        int at = text.lastIndexOf("ps ");
        return at > 0 ? text.substring(at) : text;
    }

    private static int readVarInt(InputStream in) throws IOException {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("VarInt too long");
    }
}
