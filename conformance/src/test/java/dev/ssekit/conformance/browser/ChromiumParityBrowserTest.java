package dev.ssekit.conformance.browser;

import dev.ssekit.protocol.Engine;
import java.util.List;

/**
 * Chromium (Debian's, through its ChromeDriver) against the oracle with Chromium's modelled
 * departures: a leading BOM directly followed by CR or LF loses the next line; a charset other than
 * UTF-8 fails the connection (Blink logs why).
 */
class ChromiumParityBrowserTest extends EngineParityBrowserTest {

  @Override
  Engine engine() {
    return Engine.CHROMIUM;
  }

  @Override
  String refusalLogged() {
    return "that is not UTF-8. Aborting the connection.";
  }

  @Override
  List<Departure> departures() {
    var x = ev("x");
    return List.of(
        new Departure("BOM LF: the first line is lost", writes("\uFEFF\ndata: x\n\n"), List.of(x), List.of()),
        new Departure("BOM CR: the first line is lost", writes("\uFEFF\rdata: x\r\r"), List.of(x), List.of()),
        new Departure("BOM and LF in separate writes", writes("\uFEFF", "\nid: 7\ndata: x\n\n"),
            List.of(ev("message", "x", "7")), List.of(x)),
        new Departure("control: BOM CRLF loses nothing", writes("\uFEFF\r\ndata: x\r\n\r\n"), List.of(x), List.of(x)),
        new Departure("control: BOM then a field", writes("\uFEFFdata: x\n\n"), List.of(x), List.of(x)),
        new Departure("control: NUL in data is kept", writes("data: a\0b\n\n"), List.of(ev("a\0b")), List.of(ev("a\0b"))),
        new Departure("control: an id-only block sets the last event ID", writes("id: 5\n\ndata: x\n\n"),
            List.of(ev("message", "x", "5")), List.of(ev("message", "x", "5"))));
  }
}
