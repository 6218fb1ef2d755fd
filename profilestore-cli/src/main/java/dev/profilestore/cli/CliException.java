package dev.profilestore.cli;

/**
 * A problem with what the user asked for (a malformed URI, an unknown key, a file that is not a database):
 * printed as one line naming the problem, with a non-zero exit code and no stack trace.
 */
public final class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Exit code for bad input and failed operations. */
    public static final int EXIT_BAD_INPUT = 2;

    /** @param message what is wrong, one line, naming the thing at fault */
    public CliException(String message) {
        super(message);
    }

    /** @param message what is wrong; @param cause the underlying failure */
    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
