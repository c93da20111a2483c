package dev.ssekit.load.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes one report file (UTF-8) into a report directory, creating the directory. */
final class ReportFile {
  private ReportFile() {}

  /**
   * Writes {@code text} to {@code dir/name}.
   *
   * @throws UncheckedIOException naming the file, when it cannot be written
   */
  static Path write(Path dir, String name, String text) {
    Path file = dir.resolve(name);
    try {
      Files.createDirectories(dir);
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    return file;
  }
}
