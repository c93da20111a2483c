package dev.ssekit.server;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Loads every class of the server at startup. A class is read from a file when first used; with
 * no file descriptor left (a flood of connections) that read fails, and the JVM remembers the
 * failure, so the class (a log line's helper, a refusal's handler) stays unusable for the life of
 * the process. Loaded up front, nothing the server does later needs a descriptor it has not got.
 * Netty's and the JDK's classes come from files the JVM holds open already.
 */
final class Preload {

  private Preload() {}

  /** Loads (without initialising) the classes under {@code dev/ssekit/server}; returns how many. */
  static int ownClasses() {
    ClassLoader loader = Preload.class.getClassLoader();
    int loaded = 0;
    try {
      Path source = Path.of(Preload.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isDirectory(source)) {
        Path root = source.resolve("dev/ssekit/server");
        try (Stream<Path> files = Files.walk(root)) {
          for (Path p : (Iterable<Path>) files::iterator) {
            if (p.toString().endsWith(".class")) loaded += load(loader, source.relativize(p).toString());
          }
        }
      } else {
        try (JarFile jar = new JarFile(source.toFile())) {
          for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
            String name = e.nextElement().getName();
            if (name.startsWith("dev/ssekit/server/") && name.endsWith(".class")) loaded += load(loader, name);
          }
        }
      }
    } catch (IOException | URISyntaxException | RuntimeException e) {
      ServerLog.info("could not preload the server's classes: " + e);
    }
    return loaded;
  }

  private static int load(ClassLoader loader, String file) {
    String name = file.substring(0, file.length() - ".class".length()).replace('/', '.').replace('\\', '.');
    if (name.endsWith("module-info") || name.contains(".test")) return 0;
    try {
      Class.forName(name, false, loader);
      return 1;
    } catch (ClassNotFoundException | LinkageError e) {
      return 0;
    }
  }
}
