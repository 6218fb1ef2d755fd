package dev.profilestore.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may use the console. Every request needs the secret: a browser gives it once at sign-in and then carries a
 * session cookie ({@code HttpOnly}, {@code SameSite=Strict}); a script may send it as {@code Authorization: Bearer}
 * for reads. Every POST must carry the session's CSRF token, and a POST whose {@code Origin} is not the console's own
 * is refused, so another site open in the same browser cannot act through it. Thread-safe.
 */
final class Auth {

    /** The session cookie's name. */
    static final String COOKIE = "ps_console";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] secret;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    /**
     * A signed-in operator.
     *
     * @param operator the name given at sign-in, for the audit log
     * @param csrf the token every POST of this session must carry; null for a Bearer request, which may only read
     */
    record Session(String operator, String csrf) {}

    Auth(String secret) {
        if (secret == null || secret.length() < 8) {
            throw new IllegalArgumentException("the console's token or password must be at least 8 characters");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** A random token: 128 bits, hex. */
    static String randomToken() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Signs in with the secret; empty when it is wrong. Returns the new session's id. */
    Optional<String> signIn(String given, String operator) {
        if (!matches(given)) {
            return Optional.empty();
        }
        String id = randomToken();
        sessions.put(id, new Session(operator, randomToken()));
        return Optional.of(id);
    }

    /** Ends a session. */
    void signOut(String sessionId) {
        if (sessionId != null) {
            sessions.remove(sessionId);
        }
    }

    /** The request's session, if it has a valid cookie or the secret as a Bearer token. */
    Optional<Session> session(Request r) {
        String id = r.cookies().get(COOKIE);
        if (id != null) {
            Session s = sessions.get(id);
            if (s != null) {
                return Optional.of(s);
            }
        }
        String a = r.authorization();
        if (a != null && a.startsWith("Bearer ") && matches(a.substring(7).trim())) {
            return Optional.of(new Session("api", null));
        }
        return Optional.empty();
    }

    /** Refuses a POST without this session's CSRF token, or from another origin. */
    static void checkPost(Request r, Session s) {
        if (r.origin() != null && r.host() != null && !r.origin().equals("http://" + r.host())) {
            throw new BadRequest(403, "refused: this request came from another site (" + r.origin() + ")");
        }
        String given = r.param("csrf");
        if (s.csrf() == null || given == null || !MessageDigest.isEqual(
                s.csrf().getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
            throw new BadRequest(403, "refused: the form's CSRF token is missing or wrong; reload the page and try"
                    + " again");
        }
    }

    private boolean matches(String given) {
        return given != null && MessageDigest.isEqual(secret, given.getBytes(StandardCharsets.UTF_8));
    }
}
