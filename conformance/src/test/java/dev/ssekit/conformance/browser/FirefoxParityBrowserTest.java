package dev.ssekit.conformance.browser;

import dev.ssekit.protocol.Engine;
import java.util.List;

/**
 * Firefox (Debian's firefox-esr, through its own WebDriver BiDi server) against the oracle with
 * Firefox's modelled departures: NULs in field values dropped (but kept right after the colon), an
 * id with a NUL loses the next field line, NULs at a line's start after LF skipped, an id-only block
 * does not set the last event ID.
 */
class FirefoxParityBrowserTest extends EngineParityBrowserTest {

  @Override
  Engine engine() {
    return Engine.FIREFOX;
  }

  @Override
  String refusalLogged() {
    return null; // the model refuses nothing the standard reads
  }

  @Override
  List<Departure> departures() {
    return List.of(
        new Departure("NUL inside data is dropped", writes("data: a\0b\n\n"), List.of(ev("a\0b")), List.of(ev("ab"))),
        new Departure("NUL inside event is dropped", writes("event: t\0\ndata: x\n\nevent:\0t\ndata: y\n\n"),
            List.of(ev("t\0", "x", ""), ev("\0t", "y", "")), List.of(ev("t", "x", ""), ev("\0t", "y", ""))),
        new Departure("NUL directly after the colon is kept", writes("data:\0b\n\n"), List.of(ev("\0b")), List.of(ev("\0b"))),
        new Departure("NUL after the colon's space is dropped", writes("data: \0b\n\n"), List.of(ev("\0b")), List.of(ev("b"))),
        new Departure("id with a NUL loses the next field line", writes("id: 1\0002\ndata: x\ndata: y\n\ndata: z\n\n"),
            List.of(ev("message", "x\ny", ""), ev("message", "z", "")),
            List.of(ev("message", "y", ""), ev("message", "z", ""))),
        new Departure("id with a NUL, the next line in another write", writes("id: 1\0002\n", "data: x\n\ndata: z\n\n"),
            List.of(ev("message", "x", ""), ev("message", "z", "")), List.of(ev("message", "z", ""))),
        new Departure("id whose only NUL is its first character is kept", writes("id:\0007\ndata: x\n\n"),
            List.of(ev("message", "x", "")), List.of(ev("message", "x", "\0007"))),
        new Departure("an id-only block does not set the last event ID", writes("id: 5\n\ndata: x\n\n"),
            List.of(ev("message", "x", "5")), List.of(ev("message", "x", ""))),
        new Departure("NUL at a line's start after LF is skipped", writes("data: a\n\0data: b\n\n"),
            List.of(ev("a")), List.of(ev("a\nb"))),
        new Departure("a line of NULs after LF dispatches", writes("data: a\n\0\ndata: b\n\n"),
            List.of(ev("a\nb")), List.of(ev("a"), ev("b"))),
        new Departure("control: NUL at a line's start after CR is kept", writes("data: a\r\0data: b\r\r"),
            List.of(ev("a")), List.of(ev("a"))),
        new Departure("control: BOM LF loses nothing", writes("\uFEFF\ndata: x\n\n"), List.of(ev("x")), List.of(ev("x"))),
        new Departure("control: an id with data sets the last event ID", writes("id: 5\ndata: x\n\ndata: y\n\n"),
            List.of(ev("message", "x", "5"), ev("message", "y", "5")),
            List.of(ev("message", "x", "5"), ev("message", "y", "5"))));
  }
}
