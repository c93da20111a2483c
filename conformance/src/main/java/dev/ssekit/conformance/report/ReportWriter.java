package dev.ssekit.conformance.report;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes a {@link RunReport} in one file format. Implementations hold no state between runs. */
public interface ReportWriter {

  /** The three reports of the report directory: {@code conformance.json}, {@code junit.xml}, {@code conformance.html}. */
  static List<ReportWriter> standard() {
    return List.of(new JsonReportWriter(), new JunitXmlWriter(), new HtmlReportWriter());
  }

  /** The file name this format is written under in the report directory. */
  String fileName();

  /**
   * Writes {@code report} to {@code out} (UTF-8), flushing but not closing it.
   *
   * @throws IOException when writing fails
   */
  void write(RunReport report, OutputStream out) throws IOException;

  /**
   * Writes {@code report} to {@link #fileName()} in {@code dir}, creating the directory and
   * replacing an older file.
   *
   * @return the file written
   * @throws IOException when the directory or file cannot be written
   */
  default Path writeTo(RunReport report, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(fileName());
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
      write(report, out);
    }
    return file;
  }
}
