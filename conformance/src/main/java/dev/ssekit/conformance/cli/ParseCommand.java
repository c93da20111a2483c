package dev.ssekit.conformance.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.Engine;
import dev.ssekit.protocol.EventStreamParser;
import dev.ssekit.protocol.Retry;
import dev.ssekit.protocol.StreamItem;
import dev.ssekit.protocol.StreamReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code parse FILE|-}: prints what a browser's EventSource would dispatch for a stream, one JSON
 * object per line, in stream order — each event as {@code {"type","data","lastEventId"}} and each
 * valid retry field as {@code {"retry": N}}. Reads standard input incrementally, so
 * {@code curl -N URL | ssekit parse -} prints events as they arrive. {@code --engine chromium} or
 * {@code firefox} reads as ssekit's model of that engine does, and also prints each place the engine
 * departs from the standard as {@code {"departure": what, "byte": offset}}.
 */
@Command(name = "parse", mixinStandardHelpOptions = true,
    description = {"Print what a browser dispatches for an event stream, as JSON lines.",
        "Exit status: 0 read to the end; 1 a safety limit stopped reading; 2 the input could not be read."})
final class ParseCommand implements Callable<Integer> {

  @Parameters(paramLabel = "FILE|-", description = "The raw response body (no HTTP head); '-' for standard input.")
  String file;

  @Option(names = "--engine", paramLabel = "ENGINE",
      description = "Whose reading: spec (the standard, default), chromium or firefox (ssekit's model of that engine,"
          + " with a {\"departure\"} line wherever it reads the bytes differently from the standard).")
  String engine = "spec";

  @Option(names = "--last-event-id", paramLabel = "ID", description = "The last event ID carried over from an earlier connection.")
  String lastEventId = "";

  @Option(names = "--max-line-chars", paramLabel = "N", description = "Longest line read before giving up (default: ${DEFAULT-VALUE}).")
  int maxLineChars = EventStreamParser.DEFAULT_MAX_LINE_CHARS;

  @Option(names = "--max-event-chars", paramLabel = "N", description = "Most data one event may hold before giving up (default: ${DEFAULT-VALUE}).")
  int maxEventChars = EventStreamParser.DEFAULT_MAX_EVENT_CHARS;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (maxLineChars < 1 || maxEventChars < 1) {
      err.println("error: limits must be positive");
      return 2;
    }
    Engine reader = Engine.byId(engine);
    if (reader == null) {
      err.println("error: --engine takes spec, chromium or firefox, not '" + engine + "'");
      return 2;
    }
    StreamItem.LimitExceeded[] limit = new StreamItem.LimitExceeded[1];
    StreamReader parser = reader.reader(item -> {
      if (item instanceof DispatchedEvent e) {
        print(out, eventJson(e));
      } else if (item instanceof Retry r) {
        print(out, Map.of("retry", r.millis()));
      } else if (item instanceof StreamItem.LimitExceeded l) {
        limit[0] = l;
      } else if (item instanceof StreamItem.Departure d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("departure", d.what());
        m.put("byte", d.byteOffset());
        print(out, m);
      }
      // Comments are not dispatched: parse prints what a browser's EventSource fires.
    }, lastEventId, maxLineChars, maxEventChars);
    try (InputStream in = file.equals("-") ? System.in : Files.newInputStream(Path.of(file))) {
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) >= 0 && !parser.stopped(); ) parser.feed(buf, 0, n);
      parser.end();
    } catch (NoSuchFileException e) {
      err.println("error: no such file: " + file);
      return 2;
    } catch (IOException | UncheckedIOException e) {
      err.println("error: cannot read " + file + ": " + e.getMessage());
      return 2;
    }
    out.flush();
    if (limit[0] != null) {
      err.println("stopped after " + limit[0].byteOffset() + " bytes: a" + (limit[0].what().equals("line") ? " line" : "n event")
          + " longer than " + limit[0].limit() + " characters (raise --max-" + limit[0].what() + "-chars to read further)");
      return 1;
    }
    return 0;
  }

  static Map<String, Object> eventJson(DispatchedEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", e.type());
    m.put("data", e.data());
    m.put("lastEventId", e.lastEventId());
    return m;
  }

  private static void print(PrintWriter out, Object value) {
    try {
      out.println(JSON.writeValueAsString(value));
      out.flush();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON for a map of strings", e);
    }
  }
}
