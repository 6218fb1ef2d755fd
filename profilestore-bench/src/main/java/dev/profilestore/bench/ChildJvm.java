package dev.profilestore.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A {@link ScaleChild} process started with the same {@code java} binary and class path as this JVM, spoken to in
 * {@link ScaleProtocol} lines. {@code done} lines go to a callback as they come; every other reply is queued for
 * {@link #await}. The child's standard error is this JVM's.
 */
final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final Writer in;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final Thread reader;

    private ChildJvm(Process process, Consumer<String> onDone) {
        this.process = process;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.reader = Thread.ofPlatform().daemon().name("scale-child-" + process.pid()).start(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("done ")) {
                        onDone.accept(line);
                    } else {
                        replies.add(line);
                    }
                }
            } catch (IOException e) {
                replies.add("error " + e);
            }
            replies.add("exited");
        });
    }

    /**
     * Starts a child.
     *
     * @param heap the child's {@code -Xmx}, such as {@code 1g}
     * @param onDone receives every {@code done} line, on the child's reader thread
     */
    static ChildJvm start(String heap, Consumer<String> onDone) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heap, "-cp",
                System.getProperty("java.class.path"), ScaleChild.class.getName()));
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            return new ChildJvm(p, onDone);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Sends one line; safe from any thread. */
    synchronized void send(String line) {
        try {
            in.write(line);
            in.write('\n');
            in.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("child " + process.pid() + " is gone", e);
        }
    }

    /** The next reply that is not a {@code done}; it must start with {@code verb}. */
    String await(String verb, Duration timeout) throws InterruptedException {
        String line = replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new IllegalStateException("child " + process.pid() + ": no \"" + verb + "\" within " + timeout);
        }
        if (!line.equals(verb) && !line.startsWith(verb + " ")) {
            throw new IllegalStateException("child " + process.pid() + ": expected \"" + verb + "\", got: " + line);
        }
        return line;
    }

    /** CPU time the child has used so far, in seconds (0 where the OS does not tell). */
    double cpuSeconds() {
        return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    /** Asks the child to close its stores and exit; kills it if it has not within {@code timeout}. */
    void close(Duration timeout) throws InterruptedException {
        if (process.isAlive()) {
            try {
                send("close");
            } catch (UncheckedIOException gone) {
                // it exited already
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        reader.join(TimeUnit.SECONDS.toMillis(5));
    }

    @Override
    public void close() throws InterruptedException {
        close(Duration.ofSeconds(60));
    }
}
