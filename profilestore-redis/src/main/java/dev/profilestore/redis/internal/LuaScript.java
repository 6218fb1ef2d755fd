package dev.profilestore.redis.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script shipped as a resource of package {@code dev.profilestore.redis} (beside the storage that runs it), with its SHA-1 digest for {@code EVALSHA}.
 *
 * @param name the resource name, for messages
 * @param source the script text as UTF-8
 * @param sha1 the lower-case hex SHA-1 of {@code source}, as Redis computes it
 */
public record LuaScript(String name, byte[] source, String sha1) {

    /** Reads script {@code name} (e.g. {@code write.lua}) and computes its digest. */
    public static LuaScript load(String name) {
        try (InputStream in = LuaScript.class.getResourceAsStream("/dev/profilestore/redis/" + name)) {
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
