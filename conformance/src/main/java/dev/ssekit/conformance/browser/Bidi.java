package dev.ssekit.conformance.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A WebDriver BiDi session over the browser's own WebSocket (W3C WebDriver BiDi: commands
 * {@code {id, method, params}}, answered by {@code {type: "success"|"error", id, ...}}, and events
 * {@code {type: "event", method, params}}). Firefox serves it itself ({@code --remote-debugging-port}),
 * so no driver binary is needed. Also converts between Java values and BiDi's script values.
 */
final class Bidi implements AutoCloseable {

  /** A command the browser answered with an error, or did not answer in time. */
  static final class Failure extends IOException {
    Failure(String message) {
      super(message);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * The most one message may hold (the page's results are JSON text and may be large); a larger
   * one ends the session at once with a message, rather than being read into memory.
   */
  static final int MAX_MESSAGE_CHARS = 32 << 20;

  private final WebSocket socket;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final Consumer<JsonNode> events;
  private volatile String closedBecause;

  private Bidi(WebSocket socket, Consumer<JsonNode> events) {
    this.socket = socket;
    this.events = events;
  }

  /** Connects to {@code ws://host:port/session}; {@code events} receives each event's whole message. */
  static Bidi connect(URI url, Duration timeout, Consumer<JsonNode> events) throws IOException {
    Listener listener = new Listener(events);
    WebSocket socket;
    try {
      socket = HttpClient.newBuilder().connectTimeout(timeout).build().newWebSocketBuilder()
          .connectTimeout(timeout).buildAsync(url, listener).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IOException("cannot reach the browser's WebDriver BiDi at " + url + ": " + e.getCause().getMessage(), e);
    } catch (TimeoutException e) {
      throw new IOException("the browser's WebDriver BiDi at " + url + " did not answer within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while connecting to the browser", e);
    }
    return listener.bind(socket);
  }

  /** Sends {@code method} with {@code params} and waits at most {@code timeout} for its result. */
  JsonNode send(String method, ObjectNode params, Duration timeout) throws IOException {
    if (closedBecause != null) throw new Failure("the browser's session ended: " + closedBecause);
    long id = ids.incrementAndGet();
    ObjectNode command = JSON.createObjectNode();
    command.put("id", id).put("method", method).set("params", params);
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    try {
      socket.sendText(JSON.writeValueAsString(command), true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      JsonNode reply = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (reply.path("type").asText().equals("error")) {
        throw new Failure(method + ": " + reply.path("error").asText() + ": " + reply.path("message").asText());
      }
      return reply.path("result");
    } catch (TimeoutException e) {
      throw new Failure(method + " was not answered within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      throw new Failure(method + ": " + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted while waiting for " + method);
    } finally {
      pending.remove(id);
    }
  }

  static ObjectNode params() {
    return JSON.createObjectNode();
  }

  private void received(String text) {
    JsonNode message;
    try {
      message = JSON.readTree(text);
    } catch (IOException e) {
      return; // not JSON: nothing of ours
    }
    if (message.has("id") && !message.get("id").isNull()) {
      CompletableFuture<JsonNode> f = pending.get(message.get("id").asLong());
      if (f != null) f.complete(message);
    } else if (message.path("type").asText().equals("event")) {
      events.accept(message);
    }
  }

  private synchronized void ended(String why) {
    if (closedBecause == null) closedBecause = why; // the first reason: an abort's own close follows it
    pending.values().forEach(f -> f.completeExceptionally(new IOException("the browser's session ended: " + why)));
  }

  @Override
  public void close() {
    socket.abort();
  }

  /**
   * Receives the socket's messages. It exists before the session object does, so what happens in
   * between (an early close) is kept and handed over by {@link #bind}.
   */
  private static final class Listener implements WebSocket.Listener {
    private final Consumer<JsonNode> events;
    private final StringBuilder text = new StringBuilder();
    private Bidi bidi;
    private String endedEarly;

    Listener(Consumer<JsonNode> events) {
      this.events = events;
    }

    synchronized Bidi bind(WebSocket socket) {
      bidi = new Bidi(socket, events);
      if (endedEarly != null) bidi.ended(endedEarly);
      return bidi;
    }

    private synchronized void end(String why) {
      if (bidi != null) bidi.ended(why);
      else endedEarly = why;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (text.length() > MAX_MESSAGE_CHARS) {
        text.setLength(0);
        text.trimToSize();
        end("the browser sent a message longer than " + (MAX_MESSAGE_CHARS >> 20) + " Mi characters");
        ws.abort();
        return null;
      }
      if (last) {
        String message = text.toString();
        text.setLength(0);
        Bidi b;
        synchronized (this) {
          b = bidi;
        }
        if (b != null) b.received(message);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      end("closed (" + status + (reason.isEmpty() ? "" : " " + reason) + ")");
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      end(String.valueOf(error.getMessage()));
    }
  }

  // --- script values ---------------------------------------------------------------------------

  /** A Java value as a BiDi LocalValue: strings, numbers, booleans, null, lists and maps of them. */
  static JsonNode local(Object v) {
    ObjectNode n = JSON.createObjectNode();
    if (v == null) {
      n.put("type", "null");
    } else if (v instanceof String s) {
      n.put("type", "string").put("value", s);
    } else if (v instanceof Boolean b) {
      n.put("type", "boolean").put("value", b);
    } else if (v instanceof Integer || v instanceof Long || v instanceof Short) {
      n.put("type", "number").put("value", ((Number) v).longValue());
    } else if (v instanceof Number num) {
      n.put("type", "number").put("value", num.doubleValue());
    } else if (v instanceof List<?> list) {
      ArrayNode items = n.put("type", "array").putArray("value");
      for (Object o : list) items.add(local(o));
    } else if (v instanceof Map<?, ?> map) {
      ArrayNode entries = n.put("type", "object").putArray("value");
      for (Map.Entry<?, ?> e : map.entrySet()) {
        ArrayNode pair = entries.addArray();
        pair.add(String.valueOf(e.getKey()));
        pair.add(local(e.getValue()));
      }
    } else {
      throw new IllegalArgumentException("cannot pass a " + v.getClass().getName() + " to a page's script");
    }
    return n;
  }

  /** A BiDi RemoteValue as a Java value, as WebDriver classic returns it (integers as Long). */
  static Object remote(JsonNode v) {
    String type = v.path("type").asText();
    JsonNode value = v.get("value");
    switch (type) {
      case "undefined", "null":
        return null;
      case "string":
        return value.asText();
      case "boolean":
        return value.asBoolean();
      case "number":
        if (value.isTextual()) return Double.valueOf(value.asText().equals("-0") ? "-0.0" : value.asText());
        if (value.isIntegralNumber() || (value.isNumber() && value.asDouble() == Math.rint(value.asDouble())
            && Math.abs(value.asDouble()) < 9.0E15)) {
          return value.asLong();
        }
        return value.asDouble();
      case "array":
        List<Object> list = new ArrayList<>();
        if (value != null) value.forEach(e -> list.add(remote(e)));
        return list;
      case "object":
        Map<String, Object> map = new LinkedHashMap<>();
        if (value != null) {
          for (JsonNode pair : value) {
            JsonNode key = pair.get(0);
            map.put(key.isTextual() ? key.asText() : String.valueOf(remote(key)), remote(pair.get(1)));
          }
        }
        return map;
      default:
        return "[" + type + "]"; // nodes, functions and the like: named, not converted
    }
  }
}
