package dev.ssekit.conformance.browser;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.service.DriverFinder;

/**
 * Debian's headless Chromium driven through Debian's ChromeDriver, both named by absolute path so
 * Selenium Manager never runs (it would try to download a driver or a browser, and the network here
 * only reaches the package registries). One instance per test class; {@link #close()} quits the
 * browser and deletes its fresh profile directory.
 *
 * <p>A missing binary is an error with the install command, never a skipped test: CI installs both
 * packages ({@code .ci/run}), so their absence there is a broken build, not an optional feature.
 */
final class HeadlessChromium implements AutoCloseable {

  static final Path CHROMIUM = ChromiumBrowser.CHROMIUM;
  static final Path CHROMEDRIVER = ChromiumBrowser.CHROMEDRIVER;

  // Selenium warns at every start that it ships no CDP module for Chromium 156; these tests never
  // use CDP (only WebDriver commands), so the warning is noise. Held here so the levels stick.
  private static final List<Logger> QUIET = List.of(
      Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder"),
      Logger.getLogger("org.openqa.selenium.chromium.ChromiumDriver"));

  static {
    QUIET.forEach(l -> l.setLevel(Level.SEVERE));
  }

  private final ChromeDriver driver;
  private final Path profile;

  private HeadlessChromium(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** Starts the browser with a window of the given size (the size of screenshots). */
  static HeadlessChromium start(int width, int height) throws IOException {
    requireExecutable(CHROMIUM, "chromium");
    requireExecutable(CHROMEDRIVER, "chromium-driver");
    // Belt and braces: the driver path also goes where Selenium looks before asking its manager.
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());

    Path profile = Files.createTempDirectory("ssekit-chromium-profile");
    // The same options as the CLI's browser view: the tests judge the browser the tool ships with.
    ChromeOptions options = ChromiumBrowser.headlessOptions(CHROMIUM, profile, width, height, "127.0.0.1", false);
    // Console messages (such as Blink's reason for refusing a stream) can be read back.
    options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
        .usingAnyFreePort()
        .build();

    // Proof that Selenium Manager was not consulted: DriverFinder logs this line when it takes the
    // driver path from the service, and only then skips the manager.
    SkipWitness witness = SkipWitness.attach();
    ChromeDriver driver;
    try {
      driver = new ChromeDriver(service, options);
    } catch (RuntimeException e) {
      deleteTree(profile);
      throw new IllegalStateException("could not start " + CHROMIUM + " through " + CHROMEDRIVER + ": " + e.getMessage(), e);
    } finally {
      witness.detach();
    }
    if (!witness.skipped()) {
      driver.quit();
      deleteTree(profile);
      throw new IllegalStateException("Selenium did not report skipping Selenium Manager; it may have tried to download"
          + " a driver or browser. DriverFinder said: " + witness.messages());
    }
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(90));
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    return new HeadlessChromium(driver, profile);
  }

  ChromeDriver driver() {
    return driver;
  }

  @Override
  public void close() throws IOException {
    try {
      driver.quit();
    } finally {
      deleteTree(profile);
    }
  }

  private static void requireExecutable(Path binary, String debianPackage) {
    if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
      throw new IllegalStateException(binary + " is missing: the browser tests need Debian's Chromium and its driver"
          + " (apt-get install -y chromium chromium-driver; .ci/run installs them). Package missing: " + debianPackage);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException e) {
      // Chromium may still be writing its profile while it exits; a leftover temp dir is harmless.
      if (Files.exists(dir)) System.err.println("could not delete the Chromium profile " + dir + ": " + e);
    }
  }

  /** Captures DriverFinder's log lines while the driver starts. */
  private static final class SkipWitness extends Handler {
    private final Logger logger = Logger.getLogger(DriverFinder.class.getName());
    private final Level previous = logger.getLevel();
    private final List<String> messages = new ArrayList<>();

    static SkipWitness attach() {
      SkipWitness w = new SkipWitness();
      w.setLevel(Level.ALL);
      w.logger.setLevel(Level.FINE);
      w.logger.addHandler(w);
      return w;
    }

    void detach() {
      logger.removeHandler(this);
      logger.setLevel(previous);
    }

    synchronized boolean skipped() {
      return messages.stream().anyMatch(m -> m.startsWith("Skipping Selenium Manager"));
    }

    synchronized List<String> messages() {
      return List.copyOf(messages);
    }

    @Override
    public synchronized void publish(LogRecord record) {
      messages.add(record.getMessage());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
