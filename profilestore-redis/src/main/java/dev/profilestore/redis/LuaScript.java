package dev.profilestore.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script shipped as a resource next to this class, with its SHA-1 digest for {@code EVALSHA}.
 *
 * @param name the resource name, for messages
 * @param source the script text as UTF-8
 * @param sha1 the lower-case hex SHA-1 of {@code source}, as Redis computes it
 */
record LuaScript(String name, byte[] source, String sha1) {

    static LuaScript load(String name) {
        try (InputStream in = LuaScript.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("Lua script resource " + name + " is missing from the jar");
            }
            byte[] source = in.readAllBytes();
            return new LuaScript(name, source, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Lua script " + name, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-1", e);
        }
    }
}
