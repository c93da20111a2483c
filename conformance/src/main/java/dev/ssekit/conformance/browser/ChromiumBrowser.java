package dev.ssekit.conformance.browser;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven through Debian's ChromeDriver, both named by absolute path so
 * Selenium Manager never runs (the runnable jar does not even ship its binaries). {@link #close()}
 * quits the browser and deletes its fresh profile directory.
 */
public final class ChromiumBrowser implements HeadlessBrowser {

  /** Debian's Chromium ({@code chromium}). */
  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  /** Debian's ChromeDriver ({@code chromium-driver}). */
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  /** System properties that name other binaries (another distribution's paths). */
  public static final String CHROMIUM_PROPERTY = "ssekit.chromium";
  public static final String CHROMEDRIVER_PROPERTY = "ssekit.chromedriver";

  static Path chromium() {
    return Path.of(System.getProperty(CHROMIUM_PROPERTY, CHROMIUM.toString()));
  }

  static Path chromedriver() {
    return Path.of(System.getProperty(CHROMEDRIVER_PROPERTY, CHROMEDRIVER.toString()));
  }

  // Selenium logs through java.util.logging (a CDP-version warning at every start, among others);
  // the CLI prints its own findings. Held here so the levels stick.
  private static final List<Logger> QUIET = List.of(Logger.getLogger("org.openqa.selenium"));

  static {
    QUIET.forEach(l -> l.setLevel(Level.OFF));
  }

  private final ChromeDriver driver;
  private final Path profile;
  private final List<String> console = new java.util.ArrayList<>();

  private ChromiumBrowser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** Throws {@link Unavailable} with the install command when either binary is missing. */
  public static void requireInstalled() throws HeadlessBrowser.Unavailable {
    for (Path p : List.of(chromium(), chromedriver())) {
      if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
        throw new HeadlessBrowser.Unavailable("--browser chromium needs headless Chromium and its driver: " + p + " is missing."
            + " install Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver).");
      }
    }
  }

  /**
   * The options every headless Chromium of ssekit starts with (the CLI's browser view and the
   * browser tests): a fresh profile, no background networking, and a host resolver that answers
   * every host but {@code allowedHost} and 127.0.0.1 "not found", because Chromium looks up hosts
   * of its own (autofill, sign-in, search, updates: seen with strace) even with those flags.
   */
  static ChromeOptions headlessOptions(Path binary, Path profile, int width, int height, String allowedHost,
      boolean insecure) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(binary.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--user-data-dir=" + profile,
        "--window-size=" + width + "," + height,
        "--lang=en-US",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE " + allowedHost + " , EXCLUDE 127.0.0.1");
    if (insecure) options.addArguments("--ignore-certificate-errors");
    return options;
  }

  /**
   * Starts the browser for a target at {@code url}: host lookups other than the target's are
   * answered "not found" (Chromium's own background lookups), and with {@code insecure} any
   * certificate is accepted.
   */
  public static ChromiumBrowser start(URI url, boolean insecure) throws HeadlessBrowser.Unavailable, IOException {
    return start(url, url, insecure);
  }

  /**
   * Starts the browser for a stream at {@code url} read from a page at {@code page}: lookups of
   * both hosts are answered, every other host "not found".
   */
  public static ChromiumBrowser start(URI url, URI page, boolean insecure) throws HeadlessBrowser.Unavailable,
      IOException {
    requireInstalled();
    Path chromium = chromium();
    Path chromedriver = chromedriver();
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, chromedriver.toString());
    Path profile = Files.createTempDirectory("ssekit-chromium-profile");
    String hosts = url.getHost().equalsIgnoreCase(page.getHost()) ? url.getHost() : url.getHost() + " , EXCLUDE " + page.getHost();
    ChromeOptions options = headlessOptions(chromium, profile, 800, 600, hosts, insecure);
    // The console tells why a page kept its EventSource from the stream (CORS, mixed content, CSP).
    options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(chromedriver.toString()))
        .usingAnyFreePort()
        .withTimeout(Duration.ofSeconds(20))
        .build();
    ChromeDriver driver;
    try {
      driver = new ChromeDriver(service, options);
    } catch (RuntimeException e) {
      HeadlessBrowser.deleteProfile(profile);
      throw new IOException("could not start " + chromium + " through " + chromedriver + ": " + firstLine(e.getMessage()), e);
    }
    try {
      driver.manage().timeouts().pageLoadTimeout(PAGE_LOAD);
      driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    } catch (RuntimeException e) {
      driver.quit();
      HeadlessBrowser.deleteProfile(profile);
      throw e;
    }
    return new ChromiumBrowser(driver, profile);
  }

  ChromeDriver driver() {
    return driver;
  }

  @Override
  public dev.ssekit.protocol.Engine engine() {
    return dev.ssekit.protocol.Engine.CHROMIUM;
  }

  @Override
  public void load(URI url) throws IOException {
    try {
      driver.get(url.toString());
    } catch (RuntimeException e) {
      throw new IOException(firstLine(e.getMessage()), e);
    }
  }

  @Override
  public String currentUrl() throws IOException {
    try {
      return String.valueOf(driver.getCurrentUrl());
    } catch (RuntimeException e) {
      throw new IOException(firstLine(e.getMessage()), e);
    }
  }

  @Override
  public Object script(String body, Object... args) throws IOException {
    try {
      return driver.executeScript(body, args);
    } catch (RuntimeException e) {
      throw new IOException(firstLine(e.getMessage()), e);
    }
  }

  @Override
  public Object asyncScript(String body, Duration timeout, Object... args) throws IOException {
    try {
      driver.manage().timeouts().scriptTimeout(timeout);
      return driver.executeAsyncScript(body, args);
    } catch (RuntimeException e) {
      throw new IOException(firstLine(e.getMessage()), e);
    } finally {
      try {
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
      } catch (RuntimeException ignored) {
        // the browser is gone; the caller hears of it from the script's own failure
      }
    }
  }

  /** The browser's version, such as "156.0.7400.0", or "?" when the driver does not say. */
  @Override
  public String version() {
    Object v = driver.getCapabilities().getCapability("browserVersion");
    return v == null ? "?" : v.toString();
  }

  @Override
  public List<String> refusals(URI stream) {
    List<String> lines = new java.util.ArrayList<>();
    for (String m : console()) {
      boolean refusal = m.contains("Content Security Policy") || m.contains("blocked by CORS policy")
          || m.contains("Mixed Content") || m.contains("Refused to connect");
      if (refusal && m.contains(stream.toString()) && lines.size() < 5) lines.add(firstLine(m));
    }
    return lines;
  }

  /** The driver hands each log entry out once; they are kept here so every caller sees them all. */
  @Override
  public synchronized List<String> console() {
    try {
      for (org.openqa.selenium.logging.LogEntry e : driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER)) {
        console.add(String.valueOf(e.getMessage()));
      }
    } catch (RuntimeException e) {
      // an old driver without the log endpoint, or a browser that is gone: what was read stays
    }
    return List.copyOf(console);
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } catch (RuntimeException ignored) {
      // the browser is gone already
    } finally {
      HeadlessBrowser.deleteProfile(profile);
    }
  }

  static String firstLine(String s) {
    return HeadlessBrowser.firstLine(s);
  }
}
