package dev.profilestore.console;

/** Input the console cannot act on: answered with a page saying what is wrong, never a stack trace. */
final class BadRequest extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The HTTP status to answer with. */
    final int status;

    BadRequest(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    BadRequest(String message) {
        this(400, message);
    }
}
