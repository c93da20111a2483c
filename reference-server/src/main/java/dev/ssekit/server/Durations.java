package dev.ssekit.server;

import java.time.Duration;
import picocli.CommandLine;

/**
 * The server's picocli face of {@link dev.ssekit.protocol.Durations}, the one duration grammar of
 * ssekit ({@code 500ms}, {@code 15s}, {@code 2m}, {@code 1h}; a bare {@code 0} turns an option off):
 * the converter of {@code Main}'s duration options, with {@link #parse} and {@link #format} handed
 * through so the server's option and log code reads one name.
 */
public final class Durations implements CommandLine.ITypeConverter<Duration> {

  /** See {@link dev.ssekit.protocol.Durations#parse}. */
  public static Duration parse(String text) {
    return dev.ssekit.protocol.Durations.parse(text);
  }

  /**
   * See {@link dev.ssekit.protocol.Durations#format}, except that zero is {@code 0}: for the server's
   * options it means "off" (startup line, the shutdown comment's retry), as it always read.
   */
  public static String format(Duration d) {
    return d.isZero() ? "0" : dev.ssekit.protocol.Durations.format(d);
  }

  @Override
  public Duration convert(String value) {
    try {
      return parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
