package dev.ssekit.matrix;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Spring MVC SSE as its documentation and the usual guides show it: a list of {@link SseEmitter}s,
 * each removed on completion, timeout or a failed send, and
 * {@code emitter.send(SseEmitter.event().data(..).name(..).id(..))} for every published event.
 * Not hardened on purpose. The port comes from {@code --server.port=N}.
 */
@SpringBootApplication
@RestController
public class MvcSseApp {

  /** The publish contract's body. */
  public record Message(String data, String event, String id) {}

  private final List<SseEmitter> emitters = new CopyOnWriteArrayList<>();

  public static void main(String[] args) {
    SpringApplication.run(MvcSseApp.class, args);
  }

  @GetMapping("/events")
  public SseEmitter events() {
    SseEmitter emitter = new SseEmitter();
    emitters.add(emitter);
    emitter.onCompletion(() -> emitters.remove(emitter));
    emitter.onTimeout(() -> emitters.remove(emitter));
    emitter.onError(e -> emitters.remove(emitter));
    return emitter;
  }

  @PostMapping("/publish")
  @ResponseStatus(HttpStatus.ACCEPTED)
  public void publish(@RequestBody Message message) {
    for (SseEmitter emitter : emitters) {
      // one builder per send: build() appends the closing blank line each time it is called
      SseEmitter.SseEventBuilder event = SseEmitter.event().data(message.data());
      if (message.event() != null) event.name(message.event());
      if (message.id() != null) event.id(message.id());
      try {
        emitter.send(event);
      } catch (IOException e) {
        emitters.remove(emitter);
      }
    }
  }
}
