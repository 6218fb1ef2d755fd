package dev.profilestore.bench;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * What the raw Redis baseline needs to issue exactly the backend's commands: its Lua scripts (read from the Redis
 * module's resources) and its key layout ({@code ns:{store:key}:r|n|vz|vh|ix}, with {@code % { } :} escaped).
 */
final class RedisStorageScripts {

    private static final String NAMESPACE = "profilestore";

    private RedisStorageScripts() {}

    static InputStream open(String script) throws IOException {
        String path = "dev/profilestore/redis/" + script;
        InputStream in = RedisStorageScripts.class.getClassLoader().getResourceAsStream(path);
        if (in == null) {
            throw new FileNotFoundException(path + " is not on the class path (profilestore-redis missing?)");
        }
        return in;
    }

    static byte[][] profileKeys(String store, String key) {
        String p = NAMESPACE + ":{" + escape(store) + ":" + escape(key) + "}:";
        return new byte[][] {b(p + "r"), b(p + "n"), b(p + "vz"), b(p + "vh"), b(p + "ix")};
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '%' -> b.append("%25");
                case '{' -> b.append("%7B");
                case '}' -> b.append("%7D");
                case ':' -> b.append("%3A");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
