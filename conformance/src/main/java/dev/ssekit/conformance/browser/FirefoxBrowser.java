package dev.ssekit.conformance.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ssekit.protocol.Engine;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's headless Firefox ({@code firefox-esr}) driven through the WebDriver BiDi server built
 * into Firefox itself ({@code --remote-debugging-port 0}), so no geckodriver is needed (Debian has
 * none, and its npm wrapper downloads a binary). Every start uses a fresh profile whose
 * {@code user.js} turns off first-run pages, telemetry, updates, safe browsing, captive-portal and
 * connectivity checks and prefetching, and whose proxy configuration sends every host but the
 * stream's and the page's to a closed loopback port, so Firefox makes no requests of its own.
 * {@link #close()} ends Firefox and its content processes and deletes the profile.
 */
public final class FirefoxBrowser implements HeadlessBrowser {

  /** Debian's Firefox ESR. */
  public static final Path FIREFOX = Path.of("/usr/bin/firefox-esr");
  /** A system property that names another Firefox binary. */
  public static final String FIREFOX_PROPERTY = "ssekit.firefox";

  private static final Duration START = Duration.ofSeconds(30);
  private static final Duration COMMAND = Duration.ofSeconds(10);
  private static final Pattern LISTENING = Pattern.compile("WebDriver BiDi listening on (ws://\\S+)");

  static Path firefox() {
    return Path.of(System.getProperty(FIREFOX_PROPERTY, FIREFOX.toString()));
  }

  private final Process process;
  private final Path profile;
  private final Bidi bidi;
  private final String context;
  private final String version;
  /** Ends Firefox and deletes its profile if the JVM exits first (Ctrl-C during a run). */
  private final Thread onExit = new Thread(this::release, "ssekit-firefox-exit");

  /** What the browser logged (BiDi's log.entryAdded), filled by the session's event thread. */
  private final List<String> console;

  private FirefoxBrowser(Process process, Path profile, Bidi bidi, String context, String version, List<String> console) {
    this.process = process;
    this.profile = profile;
    this.bidi = bidi;
    this.context = context;
    this.version = version;
    this.console = console;
  }

  /** Throws {@link HeadlessBrowser.Unavailable} with the install command when Firefox is missing. */
  public static void requireInstalled() throws HeadlessBrowser.Unavailable {
    Path p = firefox();
    if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
      throw new HeadlessBrowser.Unavailable("--browser firefox needs headless Firefox: " + p + " is missing. install"
          + " Debian's firefox-esr (apt-get install -y firefox-esr).");
    }
  }

  /**
   * Starts Firefox for a stream at {@code stream} read from a page at {@code page}: requests to
   * both hosts (and to loopback) go out directly, every other host to a closed port; with
   * {@code insecure} any certificate is accepted.
   */
  public static FirefoxBrowser start(URI stream, URI page, boolean insecure) throws HeadlessBrowser.Unavailable,
      IOException {
    requireInstalled();
    Path profile = Files.createTempDirectory("ssekit-firefox-profile");
    Process process = null;
    Bidi bidi = null;
    try {
      Set<String> hosts = new LinkedHashSet<>(List.of("127.0.0.1", "localhost", "::1"));
      hosts.add(pacHost(stream));
      hosts.add(pacHost(page));
      hosts.remove(null);
      Files.writeString(profile.resolve("user.js"), userJs(hosts), StandardCharsets.UTF_8);
      Path log = profile.resolve("ssekit-firefox.log");
      ProcessBuilder pb = new ProcessBuilder(firefox().toString(), "--headless", "--no-remote", "--profile",
          profile.toString(), "--remote-debugging-port", "0", "about:blank")
          .redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().put("MOZ_HEADLESS", "1");
      pb.environment().put("MOZ_CRASHREPORTER_DISABLE", "1");
      process = pb.start();
      URI endpoint = awaitEndpoint(process, log);
      List<String> console = new ArrayList<>();
      bidi = Bidi.connect(endpoint.resolve("/session"), COMMAND, event -> {
        if (event.path("method").asText().equals("log.entryAdded")) {
          JsonNode p = event.path("params");
          String line = p.path("text").asText();
          synchronized (console) {
            // Past the cap only lines that could explain a refused stream are kept.
            if (console.size() < 10_000 || (console.size() < 20_000 && refusal(line))) console.add(line);
          }
        }
      });
      ObjectNode caps = Bidi.params();
      caps.putObject("capabilities").putObject("alwaysMatch").put("acceptInsecureCerts", insecure);
      JsonNode session = bidi.send("session.new", caps, COMMAND);
      String version = session.path("capabilities").path("browserVersion").asText("?");
      ObjectNode subscribe = Bidi.params();
      subscribe.putArray("events").add("log.entryAdded");
      bidi.send("session.subscribe", subscribe, COMMAND);
      JsonNode tree = bidi.send("browsingContext.getTree", Bidi.params(), COMMAND);
      String context = tree.path("contexts").path(0).path("context").asText(null);
      if (context == null) throw new IOException("Firefox reported no browsing context");
      FirefoxBrowser browser = new FirefoxBrowser(process, profile, bidi, context, version, console);
      Runtime.getRuntime().addShutdownHook(browser.onExit);
      return browser;
    } catch (IOException | RuntimeException e) {
      if (bidi != null) bidi.close();
      stop(process);
      HeadlessBrowser.deleteProfile(profile);
      throw e instanceof IOException io ? io : new IOException("could not start " + firefox() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The host as Firefox hands it to the proxy configuration: lower case, IPv6 without brackets,
   * international names in ASCII (null when the URI has none).
   */
  static String pacHost(URI uri) {
    String host = uri.getHost();
    if (host == null && uri.getRawAuthority() != null) {
      String a = uri.getRawAuthority();
      int at = a.lastIndexOf('@');
      host = a.substring(at + 1).replaceFirst(":\\d+$", "");
    }
    if (host == null || host.isEmpty()) return null;
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    try {
      host = java.net.IDN.toASCII(host, java.net.IDN.ALLOW_UNASSIGNED);
    } catch (IllegalArgumentException e) {
      // not a name IDN can convert: used as given
    }
    return host.toLowerCase(java.util.Locale.ROOT);
  }

  /** Waits for Firefox to print where its WebDriver BiDi server listens. */
  private static URI awaitEndpoint(Process process, Path log) throws IOException {
    long end = System.nanoTime() + START.toNanos();
    while (System.nanoTime() < end) {
      String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
      Matcher m = LISTENING.matcher(text);
      if (m.find()) return URI.create(m.group(1));
      if (!process.isAlive()) {
        throw new IOException("Firefox exited (status " + process.exitValue() + ") before it was ready: " + tail(text));
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while Firefox started", e);
      }
    }
    throw new IOException("Firefox did not open its WebDriver BiDi server within " + START.toSeconds() + " s: "
        + tail(Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : ""));
  }

  private static String tail(String text) {
    String t = text.strip();
    return t.isEmpty() ? "(it printed nothing)" : t.substring(Math.max(0, t.length() - 400));
  }

  /**
   * The profile's preferences: nothing of Firefox's own starts (first-run pages, telemetry,
   * updates, safe browsing, captive-portal and connectivity checks, prefetching, remote settings),
   * and a proxy configuration that lets only {@code hosts} out.
   */
  static String userJs(Set<String> hosts) {
    StringBuilder pac = new StringBuilder("function FindProxyForURL(url, host) { var direct = [");
    boolean first = true;
    for (String h : hosts) {
      pac.append(first ? "" : ", ").append('\'').append(h.replace("\\", "").replace("'", "")).append('\'');
      first = false;
    }
    pac.append("]; return direct.indexOf(host) >= 0 ? 'DIRECT' : 'PROXY 127.0.0.1:9'; }");
    String pacUrl = "data:text/plain," + java.net.URLEncoder.encode(pac.toString(), StandardCharsets.UTF_8).replace("+", "%20");
    List<String> prefs = List.of(
        pref("browser.shell.checkDefaultBrowser", false),
        pref("browser.startup.page", 0),
        pref("browser.startup.homepage_override.mstone", "ignore"),
        pref("startup.homepage_welcome_url", ""),
        pref("startup.homepage_welcome_url.additional", ""),
        pref("browser.aboutwelcome.enabled", false),
        pref("browser.newtabpage.enabled", false),
        pref("datareporting.policy.dataSubmissionEnabled", false),
        pref("datareporting.healthreport.uploadEnabled", false),
        pref("toolkit.telemetry.enabled", false),
        pref("toolkit.telemetry.unified", false),
        pref("toolkit.telemetry.server", ""),
        pref("telemetry.fog.test.localhost_port", -1),
        pref("app.update.auto", false),
        pref("app.update.disabledForTesting", true),
        pref("browser.safebrowsing.malware.enabled", false),
        pref("browser.safebrowsing.phishing.enabled", false),
        pref("browser.safebrowsing.downloads.enabled", false),
        pref("browser.safebrowsing.blockedURIs.enabled", false),
        pref("network.captive-portal-service.enabled", false),
        pref("network.connectivity-service.enabled", false),
        pref("network.dns.disablePrefetch", true),
        pref("network.prefetch-next", false),
        pref("network.predictor.enabled", false),
        pref("network.http.speculative-parallel-limit", 0),
        pref("extensions.update.enabled", false),
        pref("extensions.getAddons.cache.enabled", false),
        pref("extensions.systemAddon.update.enabled", false),
        pref("browser.search.update", false),
        pref("services.settings.server", "http://127.0.0.1:9/"),
        pref("media.gmp-manager.url", ""),
        pref("geo.provider.network.url", ""),
        pref("security.OCSP.enabled", 0),
        pref("network.proxy.type", 2),
        pref("network.proxy.autoconfig_url", pacUrl));
    return String.join("\n", prefs) + "\n";
  }

  private static String pref(String name, Object value) {
    String v = value instanceof String s ? "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : String.valueOf(value);
    return "user_pref(\"" + name + "\", " + v + ");";
  }

  @Override
  public Engine engine() {
    return Engine.FIREFOX;
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public void load(URI url) throws IOException {
    ObjectNode p = Bidi.params().put("context", context).put("url", url.toString()).put("wait", "complete");
    bidi.send("browsingContext.navigate", p, PAGE_LOAD);
  }

  @Override
  public String currentUrl() throws IOException {
    JsonNode tree = bidi.send("browsingContext.getTree", Bidi.params().put("root", context), COMMAND);
    return tree.path("contexts").path(0).path("url").asText();
  }

  @Override
  public Object script(String body, Object... args) throws IOException {
    return call("function() {\n" + body + "\n}", args, false, COMMAND);
  }

  @Override
  public Object asyncScript(String body, Duration timeout, Object... args) throws IOException {
    String function = "function() {\n"
        + "  const args = Array.prototype.slice.call(arguments);\n"
        + "  const self = this;\n"
        + "  return new Promise((resolve, reject) => {\n"
        + "    args.push(resolve);\n"
        + "    try { (function() {\n" + body + "\n}).apply(self, args); } catch (e) { reject(e); }\n"
        + "  });\n"
        + "}";
    return call(function, args, true, timeout);
  }

  private Object call(String function, Object[] args, boolean await, Duration timeout) throws IOException {
    ObjectNode p = Bidi.params().put("functionDeclaration", function).put("awaitPromise", await)
        .put("resultOwnership", "none");
    p.putObject("target").put("context", context);
    ArrayNode arguments = p.putArray("arguments");
    for (Object a : args) arguments.add(Bidi.local(a));
    JsonNode result = bidi.send("script.callFunction", p, timeout);
    if (result.path("type").asText().equals("exception")) {
      JsonNode d = result.path("exceptionDetails");
      throw new IOException("the page's script threw: " + d.path("text").asText(String.valueOf(d)));
    }
    return Bidi.remote(result.path("result"));
  }

  @Override
  public List<String> refusals(URI stream) {
    List<String> lines = new ArrayList<>();
    for (String m : console()) {
      if (refusal(m) && m.contains(stream.toString()) && lines.size() < 5) lines.add(HeadlessBrowser.firstLine(m));
    }
    return lines;
  }

  /** Whether a console line is Firefox refusing a request (policy, CORS, mixed content). */
  static boolean refusal(String m) {
    return m.contains("Content-Security-Policy") || m.contains("Cross-Origin Request Blocked")
        || m.contains("mixed active content") || m.contains("blocked the loading");
  }

  @Override
  public List<String> console() {
    synchronized (console) {
      return List.copyOf(console);
    }
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException exiting) {
      // the JVM is exiting: the hook runs release() itself
    }
    release();
  }

  private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

  private void release() {
    if (!released.compareAndSet(false, true)) return; // close() and the exit hook may both get here
    try {
      bidi.close();
    } finally {
      stop(process);
      HeadlessBrowser.deleteProfile(profile);
    }
  }

  /** Ends Firefox and the content processes it started (they may outlive it by a moment). */
  private static void stop(Process process) {
    if (process == null) return;
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      // Content processes exit with the main one, a moment later: wait for all of them at once.
      try {
        java.util.concurrent.CompletableFuture.allOf(children.stream().map(ProcessHandle::onExit)
            .toArray(java.util.concurrent.CompletableFuture[]::new)).get(3, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      children.forEach(ProcessHandle::destroyForcibly);
      Thread.currentThread().interrupt();
    }
  }
}
