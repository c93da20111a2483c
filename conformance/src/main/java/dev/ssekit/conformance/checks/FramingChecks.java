package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.record.Recording;
import dev.ssekit.protocol.DispatchedEvent;
import dev.ssekit.protocol.EventStreamParser;
import dev.ssekit.protocol.StreamItem;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.extension.ExtendWith;

/** The byte stream as text: encoding, BOM, line ends, event boundaries, line sizes. */
@org.junit.jupiter.api.DisplayNameGeneration(CheckNames.class)
@ExtendWith(SseExtension.class)
public class FramingChecks {

  @SseCheck(id = "framing.utf-8", severity = Severity.MUST, rule = "F-01", spec = Spec.PARSING,
      summary = "The body is valid UTF-8 (browsers turn invalid bytes into U+FFFD)")
  void utf8(PassiveStream stream, Findings f) {
    byte[] body = stream.streamBody(f);
    // A live stream may be cut mid-character at the end of the window: only check complete text.
    int end = completeUtf8Prefix(body);
    int at = firstInvalid(body, end);
    if (at < end) {
      f.evidence("bytes around offset " + at, Arrays.copyOfRange(body, Math.max(0, at - 16), Math.min(end, at + 16)));
      f.violation("invalid UTF-8 at byte " + at + ": browsers show U+FFFD (\uFFFD) there, and the data differs from"
          + " what the server meant");
    }
  }

  /** Length of the body without a trailing incomplete multi-byte sequence. */
  static int completeUtf8Prefix(byte[] b) {
    int n = b.length;
    for (int back = 1; back <= 3 && n - back >= 0; back++) {
      int x = b[n - back] & 0xff;
      if (x < 0x80) return n;
      if (x >= 0xC0) {
        int need = x >= 0xF0 ? 4 : x >= 0xE0 ? 3 : 2;
        return back < need ? n - back : n;
      }
    }
    return n;
  }

  /** Offset of the first malformed UTF-8 sequence in {@code body[0, end)}, or {@code end}. */
  static int firstInvalid(byte[] body, int end) {
    CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(body, 0, end);
    CharBuffer out = CharBuffer.allocate(8192);
    while (true) {
      CoderResult result = d.decode(in, out, true);
      if (result.isError()) return in.position();
      if (!result.isOverflow()) return end;
      out.clear();
    }
  }

  @SseCheck(id = "framing.bom-only-at-start", severity = Severity.SHOULD, rule = "F-02", spec = Spec.PARSING,
      summary = "A byte order mark appears only as the very first bytes, if at all")
  void bom(PassiveStream stream, Findings f) {
    byte[] body = stream.streamBody(f);
    for (int i = 1; i + 2 < body.length; i++) {
      if ((body[i] & 0xff) == 0xEF && (body[i + 1] & 0xff) == 0xBB && (body[i + 2] & 0xff) == 0xBF
          && (body[i - 1] == '\n' || body[i - 1] == '\r')) {
        f.evidence("bytes around offset " + i, Arrays.copyOfRange(body, Math.max(0, i - 16), Math.min(body.length, i + 24)));
        f.violation("a BOM at the start of a line (offset " + i + ") glues onto the field name, so browsers ignore"
            + " that line; only one BOM, at the very start of the stream, is removed");
        return;
      }
    }
    if (body.length >= 3 && (body[0] & 0xff) == 0xEF && (body[1] & 0xff) == 0xBB && (body[2] & 0xff) == 0xBF) {
      f.note("the stream starts with a BOM (allowed, removed by clients)");
    }
  }

  @SseCheck(id = "framing.events-terminated", severity = Severity.MUST, rule = "F-06", spec = Spec.INTERPRETING,
      summary = "Every event ends with a blank line; nothing is left dangling while the stream idles or ends")
  void eventsTerminated(PassiveStream stream, Findings f) {
    byte[] body = stream.streamBody(f);
    Recording r = stream.recording();
    LineScan scan = stream.lines();
    // Lines after the last blank line, that hold fields (comments alone are harmless).
    int lastBlank = -1;
    for (int i = 0; i < scan.lines.size(); i++) if (scan.lines.get(i).isBlank()) lastBlank = i;
    // Only lines that wait for a blank line count: data, event and id. A comment or a retry line
    // has done all it does once its line ends (retry takes effect at once, §9.2.6).
    java.util.Set<String> waiting = java.util.Set.of("data", "event", "id");
    boolean pendingFields = scan.lines.subList(lastBlank + 1, scan.lines.size()).stream()
        .anyMatch(l -> !l.isComment() && waiting.contains(l.field()));
    boolean pendingTail = !scan.tail.isEmpty() && !scan.tail.startsWith(":");
    if (!pendingFields && !pendingTail) return;
    Recording.Chunk last = r.chunks().get(r.chunks().size() - 1);
    Duration idle = r.duration().minus(last.at());
    int from = Math.max(0, body.length - 200);
    f.evidence("the last bytes", Arrays.copyOfRange(body, from, body.length));
    if (r.end() == Recording.End.EOF || r.end() == Recording.End.ERROR) {
      f.violation("the stream " + (r.end() == Recording.End.EOF ? "ended" : "broke off (" + r.error() + ")")
          + " inside an event: a browser discards the unfinished event (and its id, so a reconnect resumes from the"
          + " previous one)");
    } else if (idle.compareTo(Duration.ofSeconds(1)) > 0) {
      f.violation("an event without its closing blank line sat unsent to the application for " + idle.toMillis()
          + " ms: a browser dispatches an event only at the blank line");
    }
  }

  @SseCheck(id = "framing.events-flushed", severity = Severity.SHOULD, rule = "H-06", spec = Spec.AUTHORING,
      summary = "Events are flushed as they happen, not held back and delivered in one burst")
  void eventsFlushed(PassiveStream stream, Findings f) {
    Recording r = stream.responded(f);
    if (r.status() != 200 || r.chunks().isEmpty()) f.notApplicable("no stream bytes to look at");
    // The first read that carried any event, and how many events it carried.
    int[] before = {0};
    int[] count = {0};
    EventStreamParser counting = new EventStreamParser(item -> {
      if (item instanceof DispatchedEvent) count[0]++;
    });
    for (Recording.Chunk c : r.chunks()) {
      before[0] = count[0];
      counting.feed(c.bytes());
      if (count[0] > 0) {
        Duration silence = c.at().minus(r.headersAfter() == null ? Duration.ZERO : r.headersAfter());
        int inFirst = count[0] - before[0];
        f.note("first event after " + silence.toMillis() + " ms of stream, " + inFirst + " event(s) in that read");
        f.require(!(inFirst >= 3 && silence.compareTo(Duration.ofSeconds(2)) >= 0), inFirst + " events arrived together "
            + silence.toMillis() + " ms after the head: something between the application and the client (a"
            + " buffer, gzip, a proxy) holds events back; flush after each event and send X-Accel-Buffering: no");
        return;
      }
    }
    f.notApplicable("no event arrived within the window");
  }

  @SseCheck(id = "framing.line-endings", severity = Severity.MAY, rule = "F-03", spec = Spec.PARSING,
      summary = "Line endings are CRLF, LF or CR (mixing is legal); reported for information")
  void lineEndings(PassiveStream stream, Findings f) {
    byte[] body = stream.streamBody(f);
    LineScan scan = stream.lines();
    f.note("line endings: " + scan.terminators());
    int styles = (scan.crlf > 0 ? 1 : 0) + (scan.lf > 0 ? 1 : 0) + (scan.cr > 0 ? 1 : 0);
    if (scan.cr > 0) {
      f.violation("bare CR line endings: legal, but some non-browser clients (line readers that split on LF only)"
          + " misread them");
    } else if (styles > 1) {
      f.note("mixed line endings (legal)");
    }
  }

  @SseCheck(id = "framing.line-length", severity = Severity.SHOULD, rule = "F-08", spec = Spec.PARSING,
      summary = "No line or event is larger than a client can reasonably buffer (1 Mi / 8 Mi characters)")
  void lineLength(PassiveStream stream, Findings f) {
    byte[] body = stream.streamBody(f);
    for (StreamItem item : stream.items()) {
      if (item instanceof StreamItem.LimitExceeded l) {
        f.evidence("the first bytes of it", Arrays.copyOfRange(body, (int) Math.max(0, l.byteOffset() - 64),
            (int) Math.min(body.length, l.byteOffset())));
        f.violation("a" + (l.what().equals("line") ? " line" : "n event") + " longer than " + l.limit()
            + " characters (at byte " + l.byteOffset() + "): clients with buffer limits drop it or the connection");
        return;
      }
    }
    int longest = 0;
    for (LineScan.Line line : stream.lines().lines) {
      longest = Math.max(longest, line.text().length());
    }
    f.note("longest line: " + longest + " characters");
  }
}
