package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.record.Recording;
import dev.ssekit.conformance.config.Target;
import dev.ssekit.protocol.Retry;
import dev.ssekit.protocol.StreamItem;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Field-level rules (WHATWG §9.2.6): names compared literally, one space after the colon, ids
 * that survive the trip back in a header, retry values clients accept, comment heartbeats.
 */
@org.junit.jupiter.api.DisplayNameGeneration(CheckNames.class)
@ExtendWith(SseExtension.class)
public class FieldChecks {

  private static final Set<String> FIELDS = Set.of("data", "event", "id", "retry");
  private static final Pattern NAME_LIKE = Pattern.compile("[A-Za-z0-9_-]+");

  private static LineScan lines(PassiveStream stream, Findings f) {
    stream.streamBody(f); // not applicable without a stream body
    return stream.lines();
  }

  @SseCheck(id = "data.field-names", severity = Severity.SHOULD, rule = "D-03", spec = Spec.INTERPRETING,
      summary = "Every field name is exactly data, event, id or retry (Data:, ' data:', 'data :' are dropped)")
  void fieldNames(PassiveStream stream, Findings f) {
    Set<String> unknown = new LinkedHashSet<>();
    for (LineScan.Line line : lines(stream, f).lines) {
      if (line.isBlank() || line.isComment()) continue;
      String name = line.field();
      if (FIELDS.contains(name)) continue;
      String lower = name.trim().toLowerCase();
      if (NAME_LIKE.matcher(name).matches() || FIELDS.contains(lower)) unknown.add(name);
    }
    if (unknown.isEmpty()) return;
    f.evidence("unknown field names: " + unknown.stream().map(Findings::escape).toList());
    List<String> nearMisses = unknown.stream().filter(n -> FIELDS.contains(n.trim().toLowerCase())).toList();
    f.violation(nearMisses.isEmpty()
        ? "fields " + unknown + " are not SSE fields: browsers ignore them silently"
        : "misspelled or mis-spaced field names " + nearMisses.stream().map(Findings::escape).toList()
            + ": names are compared literally, so browsers drop these lines");
  }

  @SseCheck(id = "data.line-breaks-encoded", severity = Severity.MUST, rule = "F-04", spec = Spec.PARSING,
      summary = "A payload's line breaks become separate data: lines, never raw newlines inside an event")
  void lineBreaksEncoded(PassiveStream stream, Findings f) {
    LineScan scan = lines(stream, f);
    List<String> suspects = new ArrayList<>();
    Set<Integer> blocksWithData = new HashSet<>();
    for (LineScan.Line line : scan.lines) {
      if (line.isBlank() || line.isComment()) continue;
      String name = line.field();
      if (name.equals("data")) {
        blocksWithData.add(line.block());
      } else if (!FIELDS.contains(name) && !NAME_LIKE.matcher(name).matches() && !FIELDS.contains(name.trim().toLowerCase())
          && blocksWithData.contains(line.block())) {
        suspects.add(line.text());
      }
    }
    if (suspects.isEmpty()) return;
    f.evidence("lines inside events that are no fields: "
        + suspects.stream().limit(5).map(Findings::escape).toList());
    f.violation(suspects.size() + " line(s) inside events look like payload text after a raw line break: a browser"
        + " ignores them (they parse as unknown fields), so the data arrives cut; write one data: line per line");
  }

  @SseCheck(id = "event.type-names", severity = Severity.MAY, rule = "D-05", spec = Spec.INTERPRETING,
      summary = "Event types are non-empty (an empty event: is the default 'message'); types are listed")
  void typeNames(PassiveStream stream, Findings f) {
    Set<String> types = new LinkedHashSet<>();
    boolean emptyType = false;
    for (LineScan.Line line : lines(stream, f).lines) {
      if (line.field().equals("event")) {
        if (line.value().isEmpty()) emptyType = true;
        else types.add(line.value());
      }
    }
    f.note("event types: " + (types.isEmpty() ? "none (all 'message')" : types)
        + "; a browser page needs addEventListener for each, onmessage sees only 'message'");
    f.require(!emptyType, "an 'event:' line with an empty value has no effect (the type stays 'message')");
  }

  private static List<String> ids(LineScan scan) {
    List<String> ids = new ArrayList<>();
    for (LineScan.Line line : scan.lines) if (line.field().equals("id")) ids.add(line.value());
    return ids;
  }

  @SseCheck(id = "id.no-nul", severity = Severity.MUST, rule = "D-06", spec = Spec.INTERPRETING,
      summary = "No id contains U+0000 (clients ignore such ids, so resume breaks)")
  void idNoNul(PassiveStream stream, Findings f) {
    List<String> bad = ids(lines(stream, f)).stream().filter(id -> id.indexOf('\0') >= 0).toList();
    if (bad.isEmpty()) return;
    f.evidence("ids with NUL: " + bad.stream().limit(5).map(Findings::escape).toList());
    f.violation(bad.size() + " id(s) contain NUL: browsers ignore the whole id field, so Last-Event-ID keeps the"
        + " previous id and a reconnect replays events the client already has");
  }

  @SseCheck(id = "id.no-surrounding-space", severity = Severity.SHOULD, rule = "S-03", spec = Spec.LAST_EVENT_ID,
      summary = "No id starts or ends with spaces or tabs (HTTP trims them from Last-Event-ID)")
  void idSpaces(PassiveStream stream, Findings f) {
    List<String> bad = ids(lines(stream, f)).stream()
        .filter(id -> !id.isEmpty() && (Character.isWhitespace(id.charAt(0)) || Character.isWhitespace(id.charAt(id.length() - 1))))
        .toList();
    if (bad.isEmpty()) return;
    f.evidence("ids: " + bad.stream().limit(5).map(Findings::escape).toList());
    f.violation("ids with surrounding whitespace come back trimmed in the Last-Event-ID header (whatwg/html#7363):"
        + " the server will not find them when a client resumes");
  }

  @SseCheck(id = "id.cors-safe", severity = Severity.MAY, rule = "S-03", spec = Spec.LAST_EVENT_ID,
      summary = "Ids are at most 128 bytes of CORS-safe characters (else cross-origin resumes need a preflight)")
  void idCorsSafe(PassiveStream stream, Findings f) {
    List<String> bad = ids(lines(stream, f)).stream().filter(id -> id.getBytes(StandardCharsets.UTF_8).length > 128
        || id.chars().anyMatch(c -> c < 0x20 || c > 0x7e || "\"():<>?@[\\]{}".indexOf(c) >= 0)).toList();
    if (bad.isEmpty()) return;
    f.evidence("ids: " + bad.stream().limit(3).map(Findings::escape).toList());
    f.violation("long or non-CORS-safe ids make a cross-origin browser preflight every reconnect (whatwg/fetch#1788)");
  }

  @SseCheck(id = "id.unique", severity = Severity.SHOULD, rule = "S-03", spec = Spec.LAST_EVENT_ID,
      summary = "Ids do not repeat within a stream (a repeated id makes resume ambiguous)")
  void idUnique(PassiveStream stream, Findings f) {
    List<String> ids = ids(lines(stream, f)).stream().filter(id -> !id.isEmpty()).toList();
    if (ids.isEmpty()) f.notApplicable("the server sent no ids");
    Set<String> seen = new HashSet<>();
    List<String> repeated = ids.stream().filter(id -> !seen.add(id)).distinct().toList();
    f.note(ids.size() + " ids, from " + Findings.escape(ids.get(0)) + " to " + Findings.escape(ids.get(ids.size() - 1)));
    if (!repeated.isEmpty()) {
      f.evidence("repeated ids: " + repeated.stream().limit(5).map(Findings::escape).toList());
      f.violation("ids repeat: a client resuming from one of them cannot tell the server which event it saw last");
    }
  }

  @SseCheck(id = "retry.digits-only", severity = Severity.MUST, rule = "D-08", spec = Spec.INTERPRETING,
      summary = "Every retry value is ASCII digits only (anything else is ignored by clients)")
  void retryDigits(PassiveStream stream, Findings f) {
    List<String> bad = new ArrayList<>();
    for (LineScan.Line line : lines(stream, f).lines) {
      if (line.field().equals("retry") && !line.value().isEmpty() && !line.value().chars().allMatch(c -> c >= '0' && c <= '9')) {
        bad.add(line.text());
      }
    }
    if (bad.isEmpty()) return;
    f.evidence("retry lines: " + bad.stream().limit(5).map(Findings::escape).toList());
    f.violation("retry values that are not plain digits (signs, spaces, units, decimals) are ignored by browsers:"
        + " the server's reconnection time never takes effect");
  }

  @SseCheck(id = "retry.sensible", severity = Severity.SHOULD, rule = "D-09", spec = Spec.INTERPRETING,
      summary = "retry is neither empty nor absurd (0, under 100 ms, over an hour)")
  void retrySensible(PassiveStream stream, Findings f) {
    List<String> notes = new ArrayList<>();
    for (LineScan.Line line : lines(stream, f).lines) {
      if (!line.field().equals("retry")) continue;
      String v = line.value();
      if (v.isEmpty()) {
        notes.add("an empty retry (clients disagree: Blink resets its delay, others ignore it)");
      } else if (v.chars().allMatch(c -> c >= '0' && c <= '9')) {
        if (v.length() > 12) {
          notes.add("retry " + v + " is beyond any client's range");
          continue;
        }
        long ms = Long.parseLong(v);
        if (ms < 100) notes.add("retry " + ms + " ms invites reconnect storms");
        else if (ms > 3_600_000) notes.add("retry " + ms + " ms leaves clients away for over an hour");
      }
    }
    for (StreamItem i : stream.items()) {
      if (i instanceof Retry r) f.note("retry " + r.millis() + " ms");
    }
    if (!notes.isEmpty()) f.violation(String.join("; ", notes));
  }

  @SseCheck(id = "comments.heartbeat", severity = Severity.SHOULD, rule = "L-01", spec = Spec.AUTHORING,
      profile = Target.Profile.FULL,
      summary = "An idle stream carries something (a comment) at least every 30 s, for proxies' idle timeouts")
  void heartbeat(PassiveStream stream, Findings f) {
    Recording r = stream.responded(f);
    if (r.status() != 200) f.notApplicable("no stream: status " + r.status());
    Duration longest = Duration.ZERO;
    Duration previous = r.headersAfter() == null ? Duration.ZERO : r.headersAfter();
    for (Recording.Chunk c : r.chunks()) {
      Duration gap = c.at().minus(previous);
      if (gap.compareTo(longest) > 0) longest = gap;
      previous = c.at();
    }
    Duration tailGap = r.duration().minus(previous);
    if (r.end() != Recording.End.EOF && tailGap.compareTo(longest) > 0) longest = tailGap;
    f.note("longest silence: " + longest.toMillis() + " ms in " + r.duration().toSeconds() + " s");
    boolean comments = stream.items().stream().anyMatch(i -> i instanceof StreamItem.Comment);
    if (!comments) f.note("no comment lines seen: keep-alives, if any, are events (they wake application handlers)");
    f.require(longest.compareTo(Duration.ofSeconds(30)) <= 0, "the stream was silent for " + longest.toSeconds()
        + " s: proxies and load balancers commonly cut idle connections after 30-60 s; send a comment every ~15 s");
  }
}
