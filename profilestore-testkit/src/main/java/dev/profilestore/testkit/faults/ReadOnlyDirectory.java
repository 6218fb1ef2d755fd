package dev.profilestore.testkit.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/**
 * Makes a directory read-only for a test, even for root, who ignores permission bits: then it sets the
 * Linux immutable attribute ({@code chattr +i}), which root cannot write past either. Closing restores it.
 * {@link #effective()} says whether the directory really is read-only now, so a test can say loudly
 * when it could not be made so.
 */
public final class ReadOnlyDirectory implements AutoCloseable {

    private final Path dir;
    private boolean immutable;

    private ReadOnlyDirectory(Path dir) {
        this.dir = dir;
    }

    /** Makes {@code dir} read-only. */
    public static ReadOnlyDirectory of(Path dir) throws IOException {
        var ro = new ReadOnlyDirectory(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        if (Files.isWritable(dir)) {
            ro.immutable = chattr("+i", dir);
        }
        return ro;
    }

    /** Whether the directory is read-only for this process now. */
    public boolean effective() {
        return !Files.isWritable(dir);
    }

    @Override
    public void close() throws IOException {
        if (immutable) {
            chattr("-i", dir);
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static boolean chattr(String flag, Path dir) {
        try {
            Process p = new ProcessBuilder("chattr", flag, dir.toString()).redirectErrorStream(true).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
