package dev.profilestore.redis.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script shipped as resources of package {@code dev.profilestore.redis} (beside the storage that runs it), with its SHA-1 digest for {@code EVALSHA}.
 *
 * @param name the name of its last resource, for messages
 * @param source the script text as UTF-8
 * @param sha1 the lower-case hex SHA-1 of {@code source}, as Redis computes it
 */
public record LuaScript(String name, byte[] source, String sha1) {

    /** One script from several resources, joined in order: functions shared by scripts come first (common.lua). */
    public static LuaScript load(String... names) {
        ByteArrayOutputStream source = new ByteArrayOutputStream();
        for (String name : names) {
            try (InputStream in = LuaScript.class.getResourceAsStream("/dev/profilestore/redis/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("Lua script resource " + name + " is missing from the jar");
                }
                in.transferTo(source);
                source.write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read Lua script " + name, e);
            }
        }
        byte[] bytes = source.toByteArray();
        try {
            return new LuaScript(names[names.length - 1], bytes,
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-1", e);
        }
    }
}
