package dev.ssekit.conformance.checks;

import java.util.HashSet;
import java.util.Set;

/** Counts a local process's open sockets through /proc (Linux). */
final class ServerSockets implements Gauge {
  private final java.nio.file.Path fds;

  ServerSockets(long pid) {
    this.fds = java.nio.file.Path.of("/proc", Long.toString(pid), "fd");
  }

  @Override
  public String name() {
    return "server sockets";
  }

  @Override
  public String resource() {
    return "file descriptors";
  }

  @Override
  public Snapshot read() {
    Set<String> sockets = new HashSet<>();
    try (var list = java.nio.file.Files.list(fds)) {
      list.forEach(p -> {
        try {
          String link = java.nio.file.Files.readSymbolicLink(p).toString();
          if (link.startsWith("socket:")) sockets.add(link); // socket:[INODE]: one per socket, however many fds
        } catch (java.io.IOException | UnsupportedOperationException gone) {
          // closed while listed
        }
      });
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      return null;
    }
    return new Snapshot(sockets.size(), Set.copyOf(sockets));
  }
}
