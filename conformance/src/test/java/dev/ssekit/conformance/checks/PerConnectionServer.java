package dev.ssekit.conformance.checks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny SSE server whose streams are per connection, not one broadcast: every connection without
 * {@code Last-Event-ID} starts its own session (a per-user feed, a token stream), whose events are
 * {@code data: session S event N}, one every 100 ms, at most {@link #MAX_EVENTS} per connection.
 * Ids are either numbers counted per session ({@code 1, 2, 3}: two connections share ids but not
 * events) or opaque and session-scoped ({@code s3-7}: no other connection ever sees them). How it
 * resumes after {@code Last-Event-ID} is chosen per server. Loopback only.
 */
final class PerConnectionServer extends RawSocketServer {

  /** Each connection's events stop after this many, so nothing runs unbounded. */
  static final int MAX_EVENTS = 600;
  private static final Pattern OPAQUE = Pattern.compile("s(\\d{1,9})-(\\d{1,9})");

  enum Ids {
    /** {@code 1, 2, 3} per session: a resumed numeric id cannot say which session it was, so resuming starts a new one. */
    NUMERIC,
    /** {@code sS-N}: a resumed id names its session, which continues. */
    OPAQUE
  }

  enum Resume {
    /** After the given id: right. */
    AFTER,
    /** At the given id itself: the client gets it twice. */
    AT,
    /** From the session's first event again: the client gets everything twice. */
    FROM_START
  }

  private final Ids ids;
  private final Resume resume;
  private final AtomicInteger sessions = new AtomicInteger();

  PerConnectionServer(Ids ids, Resume resume) throws IOException {
    super("per-connection-sse", 64);
    this.ids = ids;
    this.resume = resume;
    start();
  }

  String url() {
    return url("/events");
  }

  @Override
  void serve(InputStream in, OutputStream out) throws IOException, InterruptedException {
    String requestLine = readLine(in);
    if (requestLine == null) return;
    String lastEventId = null;
    for (String line; (line = readLine(in)) != null && !line.isEmpty(); ) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("last-event-id")) {
        lastEventId = line.substring(colon + 1).trim();
      }
    }
    if (!requestLine.startsWith("GET /events")) {
      out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.ISO_8859_1));
      return;
    }
    int session = sessions.incrementAndGet();
    int next = 1;
    if (lastEventId != null && !lastEventId.isEmpty()) {
      int given = -1;
      Matcher m = OPAQUE.matcher(lastEventId);
      if (ids == Ids.OPAQUE && m.matches()) {
        session = Integer.parseInt(m.group(1));
        given = Integer.parseInt(m.group(2));
      } else if (ids == Ids.NUMERIC && lastEventId.matches("\\d{1,9}")) {
        given = Integer.parseInt(lastEventId);
      }
      if (given > 0) {
        next = switch (resume) {
          case AFTER -> given + 1;
          case AT -> given;
          case FROM_START -> 1;
        };
      }
    }
    out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"
        .getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    for (int sent = 0; sent < MAX_EVENTS && !closed(); sent++, next++) {
      String id = ids == Ids.NUMERIC ? String.valueOf(next) : "s" + session + "-" + next;
      out.write(("id: " + id + "\ndata: session " + session + " event " + next + "\n\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      Thread.sleep(100);
    }
  }
}
