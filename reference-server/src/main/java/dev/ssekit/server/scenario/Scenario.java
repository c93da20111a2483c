package dev.ssekit.server.scenario;

import dev.ssekit.protocol.ParsedItem;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One scripted stream of the reference server's scenario catalog: what to answer to
 * {@code GET /scenarios/{name}}, byte for byte and write for write, and, for a correct stream,
 * what a conforming client must report.
 *
 * <p>The response is the {@link Head} (status line and headers, or nothing at all for
 * {@link NeverAnswer}), then each {@link Step} as its own write and flush (one HTTP chunk when the
 * framing is {@link Framing#CHUNKED}), then the {@link Ending}.
 *
 * @param name URL segment, lower-case letters, digits and dashes
 * @param description one line for people choosing a scenario
 * @param rules the ids of the rules ({@code docs/spec-rules.md}) and vectors (protocol's {@code vectors.jsonl})
 *     the bytes exercise, such as {@code F-03} or {@code V42}
 * @param kind whether a conforming client must read the stream or must fail on it
 * @param head the response head; {@code null} exactly when the ending is {@link NeverAnswer}
 * @param steps the body writes, in order
 * @param ending what happens after the last step
 * @param expected for {@link Kind#CORRECT} scenarios the items a conforming parser reports, in stream
 *     order; empty for faults
 */
public record Scenario(
    String name,
    String description,
    List<String> rules,
    Kind kind,
    Head head,
    List<Step> steps,
    Ending ending,
    List<ParsedItem> expected) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

  /** Validates the combination of head, framing, ending and expectation. */
  public Scenario {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(ending, "ending");
    rules = List.copyOf(rules);
    steps = List.copyOf(steps);
    expected = List.copyOf(expected);
    if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("bad scenario name: " + name);
    if (rules.isEmpty()) throw new IllegalArgumentException(name + ": cite at least one rule");
    if ((head == null) != (ending instanceof NeverAnswer)) {
      throw new IllegalArgumentException(name + ": the head is absent exactly when the server never answers");
    }
    if (head != null && head.framing() == Framing.NO_BODY && !steps.isEmpty()) {
      throw new IllegalArgumentException(name + ": a response without a body has no steps");
    }
    if (ending instanceof EndlessLine && (head == null || head.framing() != Framing.CHUNKED)) {
      throw new IllegalArgumentException(name + ": an endless line is sent chunked");
    }
    if (kind == Kind.CORRECT && !(ending instanceof Close)) {
      throw new IllegalArgumentException(name + ": correct scenarios end with a clean close");
    }
    if (kind == Kind.FAULT && !expected.isEmpty()) {
      throw new IllegalArgumentException(name + ": faults publish no expected items");
    }
  }

  /** All body bytes of the scripted steps, concatenated (the endless tail not included). */
  public byte[] body() {
    int length = 0;
    for (Step step : steps) length += step.size();
    byte[] all = new byte[length];
    int at = 0;
    for (Step step : steps) {
      System.arraycopy(step.bytes, 0, all, at, step.size());
      at += step.size();
    }
    return all;
  }

  /** What a client is expected to do with a scenario's stream. */
  public enum Kind {
    /** A valid stream: a conforming client reports exactly the {@link #expected()} items. */
    CORRECT,
    /** A broken response or server misbehaviour: a client must fail, time out or recover; no expectation is published. */
    FAULT
  }

  /** How the body is delimited on the wire. */
  public enum Framing {
    /** {@code Transfer-Encoding: chunked}; each step is one chunk; a clean end sends the last chunk. */
    CHUNKED,
    /** No length and no chunking; the body ends when the server closes the connection. */
    CLOSE_DELIMITED,
    /** {@code Content-Length} of all steps together: a finite body (H-06 says a stream must not have one). */
    CONTENT_LENGTH,
    /** No body at all (204 and similar): neither a length nor chunking is sent. */
    NO_BODY
  }

  /**
   * The status line and the scenario's own headers. {@link ScriptedStream#headBytes} adds
   * {@code Cache-Control: no-cache}, {@code Access-Control-Allow-Origin: *}, the framing header
   * and {@code Connection: close}.
   *
   * @param status status code
   * @param reason reason phrase
   * @param headers extra headers in order, such as {@code Content-Type}
   * @param framing how the body is delimited
   */
  public record Head(int status, String reason, List<Header> headers, Framing framing) {
    /** Rejects impossible status codes and line breaks in the reason. */
    public Head {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(framing, "framing");
      headers = List.copyOf(headers);
      if (status < 100 || status > 999) throw new IllegalArgumentException("bad status " + status);
      if (reason.indexOf('\r') >= 0 || reason.indexOf('\n') >= 0) throw new IllegalArgumentException("reason");
    }
  }

  /**
   * One response header line.
   *
   * @param name header name
   * @param value header value, without line breaks
   */
  public record Header(String name, String value) {
    /** Rejects line breaks, which would end the head early. */
    public Header {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if ((name + value).chars().anyMatch(c -> c == '\r' || c == '\n')) {
        throw new IllegalArgumentException("header with a line break: " + name);
      }
    }
  }

  /**
   * One body write: wait {@code delay}, then write {@code bytes} and flush.
   *
   * @param delay wait before this write, counted from the completion of the previous one
   * @param bytes the bytes of the write, never empty
   */
  public record Step(Duration delay, byte[] bytes) {
    /** Copies the bytes; a step is never empty because an empty chunk would end a chunked body. */
    public Step {
      Objects.requireNonNull(delay, "delay");
      if (delay.isNegative()) throw new IllegalArgumentException("negative delay");
      if (bytes.length == 0) throw new IllegalArgumentException("empty step");
      bytes = bytes.clone();
    }

    /** A copy of the bytes of this write. */
    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    /** Number of bytes written by this step. */
    public int size() {
      return bytes.length;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Step s && delay.equals(s.delay) && Arrays.equals(bytes, s.bytes);
    }

    @Override
    public int hashCode() {
      return 31 * delay.hashCode() + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Step[delay=" + delay + ", bytes=" + HexFormat.ofDelimiter(" ").formatHex(bytes) + "]";
    }
  }

  /** What the server does after the last step. */
  public sealed interface Ending permits Close, Abort, NeverAnswer, EndlessLine {}

  /** End the body properly (the last chunk when chunked), then close the connection with a FIN. */
  public record Close() implements Ending {}

  /** Close with a TCP reset (SO_LINGER 0) and no terminating chunk: the connection drops mid-body. */
  public record Abort() implements Ending {}

  /**
   * Read the request and send nothing; close after {@code bound} or when the client goes.
   *
   * @param bound how long to hold the silent connection
   */
  public record NeverAnswer(Duration bound) implements Ending {
    /** Requires a positive bound. */
    public NeverAnswer {
      if (bound.isNegative() || bound.isZero()) throw new IllegalArgumentException("bound must be positive");
    }
  }

  /**
   * After the steps, keep writing filler bytes without any line end, one chunk at a time and only
   * when the previous write has completed (so at most one chunk is ever buffered). After
   * {@code maxBytes} the body ends with the last chunk and a close; at {@code maxTime} the connection
   * is closed whatever its state (its reader may have stalled); a departing client ends it at once.
   *
   * @param filler the byte repeated (never CR or LF)
   * @param maxBytes bound on filler bytes
   * @param maxTime bound on duration
   */
  public record EndlessLine(byte filler, long maxBytes, Duration maxTime) implements Ending {
    /** Rejects line-ending fillers and non-positive bounds. */
    public EndlessLine {
      if (filler == '\r' || filler == '\n') throw new IllegalArgumentException("filler must not end a line");
      if (maxBytes <= 0 || maxTime.isNegative() || maxTime.isZero()) throw new IllegalArgumentException("bounds");
    }
  }
}
