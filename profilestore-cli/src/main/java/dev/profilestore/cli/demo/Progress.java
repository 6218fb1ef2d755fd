package dev.profilestore.cli.demo;

import java.io.PrintWriter;
import java.util.function.Consumer;

/**
 * Live progress on standard error: one line rewritten in place on a terminal, or a plain line every few seconds
 * otherwise (logs, CI). Whether standard error is a terminal is told by the launcher script
 * ({@code -Dprofilestore.stderr.tty=true}), since Java cannot see it by itself.
 */
public final class Progress implements Consumer<String> {

    private final PrintWriter err;
    private final boolean tty;
    private final boolean quiet;
    private long lastPlain;
    private int lastLength;

    /**
     * @param err standard error
     * @param tty whether it is a terminal (one line rewritten in place)
     * @param quiet whether to print nothing
     */
    public Progress(PrintWriter err, boolean tty, boolean quiet) {
        this.err = err;
        this.tty = tty;
        this.quiet = quiet;
    }

    /** Whether the launcher script said standard error is a terminal. */
    public static boolean stderrIsTerminal() {
        return Boolean.getBoolean("profilestore.stderr.tty");
    }

    @Override
    public synchronized void accept(String line) {
        if (quiet) {
            return;
        }
        boolean status = Character.isDigit(line.strip().isEmpty() ? 'x' : line.strip().charAt(0));
        if (tty) {
            String padded = line + " ".repeat(Math.max(0, lastLength - line.length()));
            err.print("\r" + padded);
            lastLength = line.length();
            if (!status) {
                err.println();
                lastLength = 0;
            }
            err.flush();
            return;
        }
        long now = System.nanoTime();
        if (!status || now - lastPlain >= 5_000_000_000L) {
            lastPlain = now;
            err.println(line);
            err.flush();
        }
    }

    /** Ends an in-place line so what follows starts on a fresh one. */
    /** Ends the progress line. */
    public synchronized void finish() {
        if (tty && lastLength > 0) {
            err.println();
            err.flush();
            lastLength = 0;
        }
    }
}
