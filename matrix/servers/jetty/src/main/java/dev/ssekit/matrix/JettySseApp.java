package dev.ssekit.matrix;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.servlets.EventSource;
import org.eclipse.jetty.ee10.servlets.EventSourceServlet;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Jetty 12 (ee10) {@code EventSourceServlet} as its Javadoc shows it: {@code newEventSource}
 * returns an {@link EventSource} whose {@code onOpen} keeps the {@link EventSource.Emitter}; a
 * publish calls {@code emitter.event(name, data)} (or {@code emitter.data(data)} without a name) on
 * every open emitter. The Emitter has no way to write an {@code id:} field, so the contract's
 * {@code id} is dropped. Not hardened on purpose. Usage: {@code java -jar jetty-exec.jar PORT}.
 */
public final class JettySseApp {

  /** The publish contract's body. */
  public record Message(String data, String event, String id) {}

  static final Set<EventSource.Emitter> EMITTERS = ConcurrentHashMap.newKeySet();

  /** The stream. */
  public static final class EventsServlet extends EventSourceServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected EventSource newEventSource(HttpServletRequest request) {
      return new EventSource() {
        private Emitter emitter;

        @Override
        public void onOpen(Emitter emitter) {
          this.emitter = emitter;
          EMITTERS.add(emitter);
        }

        @Override
        public void onClose() {
          EMITTERS.remove(emitter);
        }
      };
    }
  }

  /** The publish adapter. */
  public static final class PublishServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      Message m = JSON.readValue(req.getInputStream(), Message.class);
      for (EventSource.Emitter emitter : EMITTERS) {
        try {
          if (m.event() != null) emitter.event(m.event(), m.data());
          else emitter.data(m.data());
        } catch (IOException e) {
          EMITTERS.remove(emitter);
        }
      }
      resp.setStatus(202);
    }
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.addServlet(new ServletHolder(new EventsServlet()), "/events");
    context.addServlet(new ServletHolder(new PublishServlet()), "/publish");
    server.setHandler(context);
    server.start();
    server.join();
  }
}
