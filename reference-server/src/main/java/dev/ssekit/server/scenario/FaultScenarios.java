package dev.ssekit.server.scenario;

import static dev.ssekit.server.scenario.ScriptParts.EVENT_STREAM;
import static dev.ssekit.server.scenario.ScriptParts.b;
import static dev.ssekit.server.scenario.ScriptParts.contentType;
import static dev.ssekit.server.scenario.ScriptParts.fault;
import static dev.ssekit.server.scenario.ScriptParts.vectorBytes;
import static dev.ssekit.server.scenario.ScriptParts.vectorWrites;
import static dev.ssekit.server.scenario.ScriptParts.writes;

import dev.ssekit.server.scenario.Scenario.Abort;
import dev.ssekit.server.scenario.Scenario.Close;
import dev.ssekit.server.scenario.Scenario.EndlessLine;
import dev.ssekit.server.scenario.Scenario.Framing;
import dev.ssekit.server.scenario.Scenario.Head;
import dev.ssekit.server.scenario.Scenario.Header;
import dev.ssekit.server.scenario.Scenario.NeverAnswer;
import dev.ssekit.server.scenario.Scenario.Step;
import java.time.Duration;
import java.util.List;

/**
 * Fault scenarios: responses and streams a conforming client must fail on, time out on or recover
 * from. They publish no expected items; ScenarioCatalogTest checks each for the misbehaviour it
 * promises.
 */
final class FaultScenarios {

  private FaultScenarios() {}

  /** A valid body under a wrong, missing or foreign content type, and statuses a client must not read as a stream. */
  static void addResponseFaults(List<Scenario> s) {
    byte[] events = vectorBytes("V01");

    s.add(fault("wrong-content-type", "a valid body served as text/plain: the client must fail, not parse",
        List.of("H-02", "R-03", "M7"),
        new Head(200, "OK", List.of(contentType("text/plain; charset=utf-8")), Framing.CHUNKED),
        writes(events), new Close()));

    s.add(fault("missing-content-type", "a valid body with no Content-Type: the client must fail",
        List.of("H-02", "R-03", "M7"),
        new Head(200, "OK", List.of(), Framing.CHUNKED),
        writes(events), new Close()));

    s.add(fault("bogus-content-type", "a valid body served as text/x-bogus: the client must fail",
        List.of("H-02", "R-03", "M7"),
        new Head(200, "OK", List.of(contentType("text/x-bogus")), Framing.CHUNKED),
        writes(events), new Close()));

    s.add(fault("status-204", "204 No Content: the client must stop and never reconnect",
        List.of("H-01", "H-03", "M5"),
        new Head(204, "No Content", List.of(), Framing.NO_BODY),
        List.of(), new Close()));

    s.add(fault("status-500", "500 with an event-stream body: the client must fail without retrying (browser profile)",
        List.of("H-01", "H-11", "R-03", "M6"),
        new Head(500, "Internal Server Error", List.of(contentType(EVENT_STREAM)), Framing.CONTENT_LENGTH),
        writes(b("data: x\n\n")), new Close())); // M6 body

    s.add(fault("status-503-retry-after", "503 with Retry-After: browsers fail; some libraries reconnect after 5 s",
        List.of("H-01", "H-11", "M6"),
        new Head(503, "Service Unavailable",
            List.of(contentType(EVENT_STREAM), new Header("Retry-After", "5")), Framing.CONTENT_LENGTH),
        writes(b("data: x\n\n")), new Close())); // M6 body

    s.add(fault("html-200", "200 with an HTML page (a login or error page from a proxy): the client must fail",
        List.of("H-02", "R-03"),
        new Head(200, "OK", List.of(contentType("text/html; charset=utf-8")), Framing.CONTENT_LENGTH),
        writes(b("<!doctype html>\n<html><head><title>Sign in</title></head>\n"
            + "<body><p>data: not an event</p></body></html>\n")),
        new Close()));
  }

  /**
   * Streams delivered wrong: held back by a buffer, a payload that breaks its line, a connection
   * reset mid-event, never answered, an endless line, a finite length; and a redirect without a
   * target.
   */
  static void addStreamFaults(List<Scenario> s) {
    s.add(fault("buffered-output", "headers at once, then every event in one write after 3 s, as a buffering proxy does",
        List.of("H-06", "H-07"),
        new Head(200, "OK", List.of(contentType(EVENT_STREAM)), Framing.CHUNKED),
        List.of(new Step(Duration.ofSeconds(3), vectorBytes("V01", "V10", "V21"))),
        new Close()));

    s.add(fault("raw-newline-in-data", "a JSON payload with raw line feeds written into one data line",
        List.of("F-04", "D-03"),
        new Head(200, "OK", List.of(contentType(EVENT_STREAM)), Framing.CHUNKED),
        // F-04: the raw LFs end the data line; '  "note"...' and 'line two"}' become unknown fields
        writes(b("data: {\"user\":\"ann\",\n  \"note\":\"line one\nline two\"}\n\n")),
        new Close()));

    s.add(fault("dropped-mid-event", "one event, then half an event, then a TCP reset without the last chunk",
        List.of("F-06", "R-02", "R-08", "M8"),
        new Head(200, "OK", List.of(contentType(EVENT_STREAM)), Framing.CHUNKED),
        writes(b("id: abc\ndata: Hello\n\n"), b("id: def\ndata: Goodbye")), // M8: reconnect must send abc
        new Abort()));

    s.add(fault("never-answering", "the request is read and nothing is ever sent (closed after 5 minutes)",
        List.of("L-02", "R-12"),
        null, List.of(), new NeverAnswer(Duration.ofMinutes(5))));

    s.add(fault("endless-line", "'data: ' followed by 'x' without end, as fast as the client reads (up to 32 MiB or 2 min)",
        List.of("F-08"),
        new Head(200, "OK", List.of(contentType(EVENT_STREAM)), Framing.CHUNKED),
        writes(b("data: ")), new EndlessLine((byte) 'x', 32L << 20, Duration.ofMinutes(2))));

    s.add(fault("content-length-stream", "an event stream with a Content-Length: a finite body that forces reconnects",
        List.of("H-06", "R-01"),
        new Head(200, "OK", List.of(contentType(EVENT_STREAM)), Framing.CONTENT_LENGTH),
        vectorWrites("V21"),
        new Close()));

    s.add(fault("redirect-missing-location", "307 without a Location header: the client must report an error, not loop",
        List.of("H-04"),
        new Head(307, "Temporary Redirect", List.of(), Framing.CONTENT_LENGTH),
        List.of(), new Close()));
  }
}
