package dev.profilestore.console;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Debian's headless Chromium driven by its ChromeDriver, both found on the PATH (CI installs the packages
 * {@code chromium} and {@code chromium-driver}); Selenium never downloads a browser or driver here.
 */
final class Browser {

    private Browser() {}

    static ChromeDriver start(Path profileDir) {
        String chromium = onPath("chromium").or(() -> onPath("chromium-browser")).orElseThrow(() -> new AssertionError(
                "the browser tests need Chromium: apt-get install chromium chromium-driver (.ci/run does)"));
        String driver = onPath("chromedriver").orElseThrow(() -> new AssertionError(
                "the browser tests need ChromeDriver: apt-get install chromium-driver (.ci/run does)"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        // Without the networking flags Chromium keeps calling home, which a closed network refuses.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,1000", "--user-data-dir=" + profileDir.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(driver)).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static Optional<String> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p.toString());
            }
        }
        return Optional.empty();
    }

    /**
     * Saves a screenshot of the page as {@code name}.png under target/console-screenshots, and also under the directory
     * the system property {@code console.screenshots} names, if set (docs/console/ is refreshed that way).
     */
    static void screenshot(ChromeDriver driver, String name) {
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        try {
            Path target = Path.of("target", "console-screenshots");
            Files.createDirectories(target);
            Files.copy(shot.toPath(), target.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
            String docs = System.getProperty("console.screenshots");
            if (docs != null && !docs.isBlank()) {
                Path dir = Path.of(docs);
                Files.createDirectories(dir);
                Files.copy(shot.toPath(), dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
