package dev.ssekit.conformance.checks;

import dev.ssekit.conformance.record.Recorder;
import dev.ssekit.conformance.record.Recording;
import dev.ssekit.conformance.config.Target;
import java.io.IOException;
import java.time.Duration;

/**
 * The one recording that the read-only checks share: a browser-like request to the target,
 * recorded for a window that depends on the profile. With a publish URL, three events are
 * published while it records, so even a quiet server shows the checks some traffic.
 *
 * @param recording what was recorded
 * @param published how many events this run published into it
 * @param headHeld true when the response head came only after the recorder published an event to draw
 *     it out (nothing for {@link Recorder#NUDGE_AFTER})
 */
public record PassiveStream(Recording recording, int published, boolean headHeld, Cache cache) {

  /** Readings of the body that several checks need, computed once (the body may be megabytes). */
  static final class Cache {
    /** The body, joined once: every check of the class reads it, at once, and it may be 16 MiB. */
    private byte[] body;
    private LineScan scan;
    private java.util.List<dev.ssekit.protocol.StreamItem> items;
  }

  PassiveStream(Recording recording, int published) {
    this(recording, published, false, new Cache());
  }

  PassiveStream(Recording recording, int published, boolean headHeld) {
    this(recording, published, headHeld, new Cache());
  }

  /** The recording; not applicable when no response head arrived (http.status-200 fails then). */
  Recording responded(Findings f) {
    if (!recording.responded()) {
      f.notApplicable("no response (" + Describe.noResponse(recording) + "); http.status-200 reports it");
    }
    return recording;
  }

  /** The body of a 200 event stream in identity coding, or not applicable. */
  byte[] streamBody(Findings f) {
    Recording r = responded(f);
    if (r.status() != 200) f.notApplicable("no stream: status " + r.status());
    if (!r.decodable()) f.notApplicable("the body is " + r.contentEncoding() + "-coded, which this tool cannot decode");
    byte[] body = body();
    if (body.length == 0) f.notApplicable("the server sent no bytes within " + r.duration().toMillis() + " ms");
    return body;
  }

  /** The recording's body, joined once for every check that reads it (not to be modified). */
  private byte[] body() {
    synchronized (cache) {
      if (cache.body == null) cache.body = recording.body();
      return cache.body;
    }
  }

  /** The body split into lines (identity-coded bodies). */
  LineScan lines() {
    synchronized (cache) {
      if (cache.scan == null) {
        cache.scan = LineScan.of(body(), dev.ssekit.protocol.EventStreamParser.DEFAULT_MAX_LINE_CHARS);
      }
      return cache.scan;
    }
  }

  /** What the oracle reads in the body. */
  java.util.List<dev.ssekit.protocol.StreamItem> items() {
    synchronized (cache) {
      if (cache.items == null) cache.items = recording.items();
      return cache.items;
    }
  }

  /** The recording window: the target's, or the profile's. */
  public static Duration window(Target target) {
    if (target.window() != null) return target.window();
    return switch (target.profile()) {
      case QUICK -> Duration.ofSeconds(3);
      case STANDARD -> Duration.ofSeconds(5);
      case FULL -> Duration.ofSeconds(40);
    };
  }

  static PassiveStream record(Target target, Recorder recorder) {
    try {
      // 16 MiB is far more than a few seconds of any sane stream, and bounds a runaway one.
      long opened = System.nanoTime();
      Recorder.Session session = recorder.open(Recorder.Request.of(target, window(target)).withMaxBytes(16L << 20));
      int published = 0;
      // No head within the nudge time: the recorder publishes one event to draw it out (with a publish URL). A head
      // that came only after a nudge was held too, even within the 2 s: with checks side by side, another stream's
      // nudge (its 2 s began a moment earlier) can bring this head first.
      boolean headHeld = !session.headWithin(Recorder.NUDGE_AFTER);
      if (!headHeld && session.status() > 0) {
        headHeld = recorder.nudgedBy(opened + session.headersAfter().toNanos());
      }
      if (target.publishUrl() != null && session.awaitHead()) {
        for (String json : new String[] {"{\"data\":\"ssekit passive 1\"}",
            "{\"data\":\"ssekit passive 2\\nsecond line\",\"event\":\"ssekit-test\"}", "{\"data\":\"ssekit passive 3\"}"}) {
          try {
            if (recorder.publishAlone(json).status() / 100 == 2) published++;
          } catch (IOException e) {
            break; // the delivery checks report publishing problems
          }
        }
      }
      Recording r = session.await();
      return new PassiveStream(r, published, headHeld && r.responded() && target.publishUrl() != null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while recording the stream", e);
    }
  }
}
