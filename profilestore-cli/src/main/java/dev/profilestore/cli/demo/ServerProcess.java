package dev.profilestore.cli.demo;

import dev.profilestore.cli.Main;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The parent's side of one game server process of {@code demo --processes}: starts the JVM, writes its commands,
 * reads its {@link ServerEvent}s on a thread of its own, keeps the last lines of its standard error for error
 * messages, and kills it with SIGKILL.
 */
public final class ServerProcess {

    /** The line a server started with {@link #startMain} prints when it takes players. */
    public static final String READY = "READY";

    private static final int STDERR_LINES_KEPT = 20;

    private final String id;
    private final Process process;
    private final Writer commands;
    private final Thread reader;
    private final Deque<String> stderr = new ArrayDeque<>();
    private volatile boolean ready;
    private volatile boolean killed;
    private volatile long writes;

    private ServerProcess(String id, Process process, BiConsumer<ServerProcess, ServerEvent> events,
                          Consumer<String> stdoutLines, Consumer<String> stderrLines) {
        this.id = id;
        this.process = process;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.reader = Thread.ofPlatform().daemon().name(id + "-events")
                .start(() -> readLines(events != null ? line -> ServerEvent.parse(line).ifPresent(e -> onEvent(events, e))
                        : line -> {
                            if (line.equals(READY)) {
                                ready = true;
                            }
                            stdoutLines.accept(line);
                        }));
        Thread.ofPlatform().daemon().name(id + "-stderr").start(() -> readStderr(stderrLines));
    }

    /**
     * Starts a server JVM: the same java binary and class path as this one, so it works from the shaded jar of the
     * launcher as from a build or a test.
     *
     * @param storeUri passed in the environment, not on the command line, where a password would be visible to
     *     every user of the machine
     * @param args the {@code demo-server} options
     * @param events receives each event, on the process's reader thread
     * @param stderrLines receives each line the server writes on standard error (its logs)
     */
    static ServerProcess start(String id, String storeUri, List<String> args, BiConsumer<ServerProcess, ServerEvent> events,
                               Consumer<String> stderrLines) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "--enable-native-access=ALL-UNNAMED",
                // Small, quick-starting JVMs: a demo network runs several of them on a laptop.
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "demo-server"));
        command.addAll(args);
        var builder = new ProcessBuilder(command);
        builder.environment().put(DemoServerCommand.STORE_VARIABLE, storeUri);
        return new ServerProcess(id, builder.start(), events, null, stderrLines);
    }

    /**
     * Starts a JVM running {@code mainClass} on the same java binary and class path as this one, for a server that
     * says {@value #READY} on a line of its standard output when it takes players ({@code play}'s game servers).
     *
     * @param id the server id, for thread names
     * @param storeVariable the environment variable the server reads its store URI from (not the command line,
     *     where a password would be visible to every user of the machine)
     * @param storeUri the store URI
     * @param mainClass the class whose {@code main} runs the server
     * @param args its arguments
     * @param stdoutLines receives each line of its standard output, on the reader thread
     * @param stderrLines receives each line of its standard error
     * @return the running server
     * @throws IOException when the JVM cannot be started
     */
    public static ServerProcess startMain(String id, String storeVariable, String storeUri, String mainClass,
                                          List<String> args, Consumer<String> stdoutLines, Consumer<String> stderrLines)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        var builder = new ProcessBuilder(command);
        builder.environment().put(storeVariable, storeUri);
        return new ServerProcess(id, builder.start(), null, stdoutLines, stderrLines);
    }

    /** The running JVM's own java executable. */
    static String javaBinary() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        if (Files.isExecutable(java)) {
            return java.toString();
        }
        return ProcessHandle.current().info().command().orElse("java");
    }

    private void onEvent(BiConsumer<ServerProcess, ServerEvent> events, ServerEvent e) {
        if (e instanceof ServerEvent.Ready) {
            ready = true;
        } else if (e instanceof ServerEvent.Writes w) {
            writes = w.total();
        }
        events.accept(this, e);
    }

    private void readLines(Consumer<String> lines) {
        try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                lines.accept(line);
            }
        } catch (IOException e) {
            // the pipe broke: the process is gone, which its exit tells
        }
    }

    private void readStderr(Consumer<String> lines) {
        try (var in = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                synchronized (stderr) {
                    stderr.addLast(line);
                    if (stderr.size() > STDERR_LINES_KEPT) {
                        stderr.removeFirst();
                    }
                }
                lines.accept(line);
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    /** The server id. */
    public String id() {
        return id;
    }

    /** Whether the server has opened its store and takes commands. */
    public boolean ready() {
        return ready;
    }

    /** Whether the demo killed it. */
    public boolean killed() {
        return killed;
    }

    /** Whether the process has exited. */
    public boolean exited() {
        return !process.isAlive();
    }

    /** Store writes it reported last. */
    long writes() {
        return writes;
    }

    /** Sends one command line. A server that has exited ignores it (the pipe is closed). */
    public synchronized void send(String command) {
        try {
            commands.write(command + "\n");
            commands.flush();
        } catch (IOException e) {
            // the server is gone; whoever killed it deals with its players
        }
    }

    /**
     * Kills the server with SIGKILL (no shutdown hook, no last save), waits for it to die, and then until every
     * line it wrote before dying has been handled: what it acknowledged before it died is part of the truth.
     */
    public void kill(Duration max) throws InterruptedException {
        killed = true;
        process.destroyForcibly();
        process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS);
        reader.join(max);
    }

    /**
     * Waits for the server to exit by itself (after {@code STOP}) and for its last lines to be handled.
     *
     * @return whether it exited with code 0 in time
     */
    public boolean awaitExit(Duration max) throws InterruptedException {
        boolean exited = process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS);
        reader.join(max);
        return exited && process.exitValue() == 0;
    }

    /** Closes the server's standard input, as this process's death would: the server then shuts down by itself. */
    synchronized void closeCommands() {
        try {
            commands.close();
        } catch (IOException e) {
            // already gone
        }
    }

    /** Kills the process if it still runs, without waiting (the demo's finally and shutdown hook). */
    public void destroy() {
        process.destroyForcibly();
    }

    /** The exit code, or -1 while it runs. */
    public int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** The last lines of its standard error, for error messages. */
    public String lastErrors() {
        synchronized (stderr) {
            return String.join("\n", stderr);
        }
    }
}
