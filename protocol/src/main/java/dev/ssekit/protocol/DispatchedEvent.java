package dev.ssekit.protocol;

import java.util.Objects;

/**
 * What a client dispatches: the {@code MessageEvent} of WHATWG HTML §9.2.6, "dispatch the event".
 *
 * @param type the event type, {@code message} when the stream named none
 * @param data the data buffer without its final LF
 * @param lastEventId the last event ID string at dispatch time ({@code ""} for none)
 */
public record DispatchedEvent(String type, String data, String lastEventId) implements ParsedItem {

  /** Requires all three values. */
  public DispatchedEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(lastEventId, "lastEventId");
  }

  /** An event of the default type ({@code message}) with no last event ID. */
  public static DispatchedEvent message(String data) {
    return new DispatchedEvent("message", data, "");
  }
}
