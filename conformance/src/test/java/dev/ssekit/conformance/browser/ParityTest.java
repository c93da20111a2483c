package dev.ssekit.conformance.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.conformance.record.Recording;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The comparison of a browser's connection with the oracle's, without a browser: overlaps of live streams. */
class ParityTest {

  static Parity.Ev ev(String data, String id, long at) {
    return new Parity.Ev("message", data, id, at);
  }

  /** An oracle connection started at 0 that lasted {@code ms}, ended by {@code end}. */
  static Parity.OracleConn oracle(List<Parity.Ev> events, long ms, Recording.End end) {
    Recording r = new Recording(URI.create("http://x/"), URI.create("http://x/"), 200, "HTTP/1.1",
        List.of(new Recording.Header("Content-Type", "text/event-stream")), Duration.ZERO, List.of(), List.of(), end,
        null, null, Duration.ofMillis(ms), true);
    return new Parity.OracleConn(r, events, 0);
  }

  static Parity.Outcome compare(List<Parity.Ev> o, long oMs, List<Parity.Ev> b, long bOpened, Long bEnded,
      boolean complete) {
    Parity.OracleConn oc = oracle(o, oMs, complete ? Recording.End.EOF : Recording.End.WINDOW);
    Parity.BrowserConn bc = new Parity.BrowserConn(b, bOpened, bEnded, bEnded == null ? null : 0);
    return Parity.compare("c1", oc, o, bc, b, complete);
  }

  @Test
  void aLiveStreamIsComparedOnTheOverlapOfItsTwoConnections() {
    // The oracle connected 400 ms earlier and saw one more tick first; the window cut both at 5 s.
    List<Parity.Ev> o = List.of(ev("t1", "1", 100), ev("t2", "2", 600), ev("t3", "3", 1100), ev("t4", "4", 4900));
    List<Parity.Ev> b = List.of(ev("t2", "2", 601), ev("t3", "3", 1101));
    Parity.Outcome out = compare(o, 5000, b, 400, null, false);
    assertThat(out.differences()).isEmpty();
    assertThat(out.compared()).isEqualTo(2);
    assertThat(String.join("\n", out.notes())).contains("1 oracle events from before the browser's connection opened")
        .contains("1 oracle events at the end of the window");
  }

  @Test
  void anEventMissingInTheMiddleIsADifference() {
    List<Parity.Ev> o = List.of(ev("a", "1", 100), ev("b", "2", 600), ev("c", "3", 1100));
    List<Parity.Ev> b = List.of(ev("a", "1", 101), ev("c", "3", 1101));
    Parity.Outcome out = compare(o, 5000, b, 50, null, false);
    assertThat(out.differences()).singleElement().asString().contains("event 2 of the overlap differs")
        .contains("data \"b\"").contains("data \"c\"");
  }

  @Test
  void connectionsWithIdsAreAlignedOnTheFirstCommonId() {
    // The browser's connection was open from the start but only received from id 9 on (e.g. a server
    // that replays some history to one connection): the ids say where the two readings meet.
    List<Parity.Ev> o = List.of(ev("x", "7", 600), ev("y", "8", 700), ev("z", "9", 2000), ev("w", "10", 2500));
    List<Parity.Ev> b = List.of(ev("z", "9", 2001), ev("w", "10", 2501));
    Parity.Outcome out = compare(o, 5000, b, 0, null, false);
    assertThat(out.differences()).isEmpty();
    assertThat(out.compared()).isEqualTo(2);
  }

  @Test
  void twoCompleteReadingsMustMatchEntirely() {
    List<Parity.Ev> o = List.of(ev("a", "", 5), ev("b", "", 5));
    List<Parity.Ev> b = List.of(ev("a", "", 6));
    Parity.Outcome out = compare(o, 10, b, 0, 7L, true);
    assertThat(out.differences()).singleElement().asString().contains("the oracle read").contains("data \"b\"")
        .contains("which the browser did not dispatch");
  }

  @Test
  void liveConnectionsWithNothingInCommonCannotBeComparedAndSaySo() {
    List<Parity.Ev> o = List.of(ev("a", "", 100));
    List<Parity.Ev> b = List.of(ev("q", "", 3000));
    Parity.Outcome out = compare(o, 5000, b, 2500, null, false);
    assertThat(out.differences()).isEmpty();
    assertThat(out.notes()).singleElement().asString().contains("cannot be compared");
  }

  @Test
  void eventsOfATypeTheBrowserListenedForLateAreLeftOut() {
    int[] dropped = {0};
    List<Parity.Ev> events = List.of(new Parity.Ev("late", "a", "", 1000), new Parity.Ev("late", "b", "", 3000),
        ev("m", "", 1000));
    List<Parity.Ev> kept = Parity.dropUnlistened(events, Map.of("message", 0L, "late", 1200L), 0, dropped);
    assertThat(kept).extracting(Parity.Ev::data).containsExactly("b", "m");
    assertThat(dropped[0]).isEqualTo(1);
  }

  @Test
  void onlyA200TextEventStreamIsReadAsAStream() {
    assertThat(Parity.isEventStream(oracle(List.of(), 1, Recording.End.EOF).recording())).isTrue();
    Recording html = new Recording(URI.create("http://x/"), URI.create("http://x/"), 200, "HTTP/1.1",
        List.of(new Recording.Header("Content-Type", "Text/Event-Stream; charset=windows-1252")), Duration.ZERO,
        List.of(), List.of(), Recording.End.EOF, null, null, Duration.ZERO, true);
    assertThat(Parity.isEventStream(html)).isTrue();
  }
}
