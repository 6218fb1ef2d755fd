package dev.profilestore.jdbc;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A database server address in URI form, {@code scheme://user:password@host:port/database?parameters}, as a
 * command line or configuration file gives it. User and password may be percent-encoded.
 *
 * @param scheme e.g. {@code postgres} or {@code mysql}
 * @param host the host name or address (IPv6 in brackets)
 * @param port the port, or -1 for the driver's default
 * @param database the database name, or empty
 * @param user the user, or null
 * @param password the password, or null
 * @param query the parameters after {@code ?}, passed on to the driver unchanged, or null
 */
public record DatabaseUri(String scheme, String host, int port, String database, String user, String password,
        String query) {

    /**
     * Parses {@code uri}.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static DatabaseUri parse(String uri) {
        URI u;
        try {
            u = new URI(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a database URI: " + e.getMessage(), e);
        }
        if (u.getScheme() == null || u.getHost() == null) {
            throw new IllegalArgumentException("database URI needs the form scheme://[user[:password]@]host[:port]"
                    + "/database, was \"" + redact(uri) + "\"");
        }
        String user = null;
        String password = null;
        if (u.getRawUserInfo() != null) {
            String info = u.getRawUserInfo();
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? null : decode(info.substring(colon + 1));
        }
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        String database = decode(path.startsWith("/") ? path.substring(1) : path);
        return new DatabaseUri(u.getScheme(), u.getHost(), u.getPort(), database, user, password, u.getRawQuery());
    }

    /** {@code jdbc:<subprotocol>://host[:port]/database[?query]}, without user and password. */
    public String toJdbcUrl(String subprotocol) {
        StringBuilder b = new StringBuilder("jdbc:").append(subprotocol).append("://").append(host);
        if (port >= 0) {
            b.append(':').append(port);
        }
        b.append('/').append(database);
        if (query != null) {
            b.append('?').append(query);
        }
        return b.toString();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** {@code uri} with any password replaced by {@code ***}, for messages. */
    public static String redact(String uri) {
        return uri.replaceAll("(//[^:/@]*:)[^@]*@", "$1***@");
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return scheme + "://" + (user == null ? "" : user + (password == null ? "" : ":***") + "@") + host
                + (port >= 0 ? ":" + port : "") + "/" + database + (query == null ? "" : "?" + query);
    }
}
