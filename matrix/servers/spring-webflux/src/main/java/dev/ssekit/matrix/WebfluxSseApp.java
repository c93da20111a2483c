package dev.ssekit.matrix;

import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Spring WebFlux SSE as its documentation and the usual guides show it: a controller method
 * returning {@code Flux<ServerSentEvent<String>>}, fed by a multicast sink, ids from a counter
 * (the id the publisher gives wins). Not hardened on purpose: the matrix judges what users write.
 * The port comes from {@code --server.port=N}.
 */
@SpringBootApplication
@RestController
public class WebfluxSseApp {

  /** The publish contract's body. */
  public record Message(String data, String event, String id) {}

  private final Sinks.Many<ServerSentEvent<String>> sink = Sinks.many().multicast().onBackpressureBuffer();
  private final AtomicLong sequence = new AtomicLong();

  public static void main(String[] args) {
    SpringApplication.run(WebfluxSseApp.class, args);
  }

  @GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  public Flux<ServerSentEvent<String>> events() {
    return sink.asFlux();
  }

  @PostMapping("/publish")
  @ResponseStatus(HttpStatus.ACCEPTED)
  public void publish(@RequestBody Message message) {
    ServerSentEvent.Builder<String> event = ServerSentEvent.<String>builder()
        .id(message.id() != null ? message.id() : String.valueOf(sequence.incrementAndGet()))
        .data(message.data());
    if (message.event() != null) event.event(message.event());
    sink.tryEmitNext(event.build());
  }
}
