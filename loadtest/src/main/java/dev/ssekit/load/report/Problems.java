package dev.ssekit.load.report;

import dev.ssekit.load.report.CapacityReport.Connections;
import dev.ssekit.load.report.CapacityReport.Events;
import dev.ssekit.load.report.CapacityReport.Failure;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules behind {@link CapacityReport#problems()}: each thing that makes a run fail, as the
 * short phrase the FAILED line, {@code capacity.json}'s {@code problems} and {@code capacity.html}
 * show, in that order: the deliveries, then the connections, then streams and readings that passed
 * a bound, then (reconnect-storm) the connections that did not reconnect.
 */
final class Problems {
  private Problems() {}

  /** The report's problems; empty when the run is clean. */
  static List<String> of(CapacityReport r) {
    List<String> p = new ArrayList<>();
    deliveries(p, r.connections(), r.events());
    connections(p, r.connections(), r.failures());
    bounds(p, r.failures());
    Connections c = r.connections();
    if (c.reconnects() != null && c.reconnects() < c.opened()) {
      long n = c.opened() - c.reconnects();
      p.add(n + " connection" + (n == 1 ? "" : "s") + " did not reconnect");
    }
    return p;
  }

  /** Nothing opened; events lost, duplicated, out of order; deliveries this injector had not yet read. */
  private static void deliveries(List<String> p, Connections connections, Events events) {
    if (connections.requested() > 0 && connections.opened() == 0) {
      p.add("no connection opened");
    }
    if (events.lost() > 0) {
      p.add(events.lost() + " expected deliver" + (events.lost() == 1 ? "y" : "ies") + " lost");
    }
    if (events.duplicated() > 0) {
      p.add(events.duplicated() + " duplicated");
    }
    if (events.outOfOrder() > 0) {
      p.add(events.outOfOrder() + " out of order");
    }
    if (events.notYetRead() > 0) {
      p.add(events.notYetRead() + " expected deliver" + (events.notYetRead() == 1 ? "y" : "ies")
          + " not yet read by this injector when its drain ran out (its streams were still receiving; not counted as lost)");
    }
  }

  /** Connections that failed to open (with why, by kind), reconnects that failed, connects that never finished. */
  private static void connections(List<String> p, Connections connections, List<Failure> failures) {
    // Gatling reconnects a dropped stream by itself; a reconnect that fails is not in
    // connections.failed (the virtual user had opened), but it is a failure all the same. The
    // breakdown by kind covers both, so it goes once, on the last of the two lines.
    List<String> why = failures.stream().filter(Failure::connectFailure).map(f -> f.count() + " " + f.message()).toList();
    long beyond = failures.stream().filter(Failure::connectFailure).mapToLong(Failure::count).sum() - connections.failed();
    if (connections.failed() > 0) {
      p.add(connections.failed() + " connection" + (connections.failed() == 1 ? "" : "s") + " failed to open"
          + (why.isEmpty() || beyond > 0 ? "" : " (" + String.join("; ", why) + ")"));
    }
    if (beyond > 0) {
      p.add(beyond + " reconnect" + (beyond == 1 ? "" : "s") + " of open streams failed ("
          + (connections.failed() > 0 ? "connect failures, opens and reconnects: " : "") + String.join("; ", why) + ")");
    }
    long unfinished = connections.requested() - connections.opened() - connections.failed();
    if (unfinished > 0 && connections.opened() > 0) {
      p.add(unfinished + " connection" + (unfinished == 1 ? "" : "s") + " never finished opening");
    }
  }

  /** Open streams closed for passing a bound, and a metrics endpoint past its bounds. */
  private static void bounds(List<String> p, List<Failure> failures) {
    for (Failure f : failures) {
      if (f.kind().equals(Failure.LINE_TOO_LONG) || f.kind().equals(Failure.EVENT_TOO_LARGE)
          || f.kind().equals(Failure.TRAILERS_TOO_LARGE)) {
        p.add(f.count() + " stream" + (f.count() == 1 ? "" : "s") + " closed while open: " + f.message());
      } else if (f.kind().equals(Failure.METRICS)) {
        p.add("server memory not read: " + f.message());
      }
    }
  }
}
