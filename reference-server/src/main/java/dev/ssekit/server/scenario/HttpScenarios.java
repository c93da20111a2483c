package dev.ssekit.server.scenario;

import static dev.ssekit.server.scenario.ScriptParts.EVENT_STREAM;
import static dev.ssekit.server.scenario.ScriptParts.contentType;
import static dev.ssekit.server.scenario.ScriptParts.expected;
import static dev.ssekit.server.scenario.ScriptParts.vectorWrites;

import dev.ssekit.server.scenario.Scenario.Close;
import dev.ssekit.server.scenario.Scenario.Framing;
import dev.ssekit.server.scenario.Scenario.Head;
import dev.ssekit.server.scenario.Scenario.Header;
import dev.ssekit.server.scenario.Scenario.Kind;
import java.util.List;

/**
 * Correct scenarios about the HTTP response around the stream: content types that are event
 * streams although they look odd, a body without chunking, a redirect a client follows.
 */
final class HttpScenarios {

  private HttpScenarios() {}

  /** Content types a client must accept, a close-delimited body, a redirect to follow. */
  static void addHttpScenarios(List<Scenario> s) {
    s.add(new Scenario("charset-ignored", "a windows-1252 charset parameter is ignored per the spec; the body is UTF-8 (Chromium 156 refuses the stream)",
        List.of("F-01", "H-02", "V57"), Kind.CORRECT,
        new Head(200, "OK", List.of(contentType("text/event-stream;charset=windows-1252")), Framing.CHUNKED),
        vectorWrites("V57"), // WPT format-utf-8
        new Close(),
        expected("V57")));

    s.add(new Scenario("content-type-trailing-semicolon", "'text/event-stream;' is a valid event stream type",
        List.of("H-02", "M7", "V01"), Kind.CORRECT,
        new Head(200, "OK", List.of(contentType("text/event-stream;")), Framing.CHUNKED),
        vectorWrites("V01"), // WPT format-mime-trailing-semicolon
        new Close(),
        expected("V01")));

    s.add(new Scenario("content-type-case", "'Text/Event-Stream' is a valid event stream type (case-insensitive)",
        List.of("H-02", "M7", "V01"), Kind.CORRECT,
        new Head(200, "OK", List.of(contentType("Text/Event-Stream")), Framing.CHUNKED),
        vectorWrites("V01"),
        new Close(),
        expected("V01")));

    s.add(new Scenario("close-delimited", "a body without chunking that ends when the server closes (HTTP/1.1 close-delimited)",
        List.of("H-06", "V10", "V21"), Kind.CORRECT,
        new Head(200, "OK", List.of(contentType(EVENT_STREAM)), Framing.CLOSE_DELIMITED),
        vectorWrites("V10", "V21"),
        new Close(),
        expected("V10", "V21")));

    s.add(new Scenario("redirect-307", "307 to /scenarios/basic: the client follows it and reads that stream",
        List.of("H-04", "M9"), Kind.CORRECT,
        new Head(307, "Temporary Redirect", List.of(new Header("Location", "/scenarios/basic")), Framing.CONTENT_LENGTH),
        List.of(),
        new Close(),
        expected(FieldScenarios.BASIC)));
  }
}
