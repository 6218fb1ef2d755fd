package dev.profilestore.console;

/** What a handler answers: a page, a redirect, or a static file. */
sealed interface Reply {

    /**
     * An HTML page.
     *
     * @param status the HTTP status
     * @param html the page
     */
    record Page(int status, String html) implements Reply {}

    /**
     * A redirect after a sign-in (303: the browser follows with a GET).
     *
     * @param location where to
     * @param cookie a Set-Cookie value, or null
     */
    record Redirect(String location, String cookie) implements Reply {}

    /**
     * A file of the console's own.
     *
     * @param contentType its media type
     * @param body its bytes
     */
    record Asset(String contentType, byte[] body) implements Reply {}

    static Page ok(String html) {
        return new Page(200, html);
    }
}
