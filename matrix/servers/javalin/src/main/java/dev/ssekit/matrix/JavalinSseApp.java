package dev.ssekit.matrix;

import io.javalin.Javalin;
import io.javalin.http.sse.SseClient;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Javalin SSE as its documentation shows it: {@code app.sse(path, client -> ...)} keeping the
 * {@link SseClient}s in a queue ({@code keepAlive()}, removed {@code onClose}), and
 * {@code client.sendEvent(event, data, id)} for every published event. Not hardened on purpose.
 * Usage: {@code java -jar javalin-exec.jar PORT}.
 */
public final class JavalinSseApp {

  /** The publish contract's body. */
  public record Message(String data, String event, String id) {}

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Queue<SseClient> clients = new ConcurrentLinkedQueue<>();
    Javalin app = Javalin.create();
    app.sse("/events", client -> {
      client.keepAlive();
      client.onClose(() -> clients.remove(client));
      clients.add(client);
    });
    app.post("/publish", ctx -> {
      Message m = ctx.bodyAsClass(Message.class);
      for (SseClient client : clients) {
        client.sendEvent(m.event() != null ? m.event() : "message", m.data(), m.id());
      }
      ctx.status(202);
    });
    app.start("127.0.0.1", port);
  }
}
