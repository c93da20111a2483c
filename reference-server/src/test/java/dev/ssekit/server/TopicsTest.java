package dev.ssekit.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The registry's memory bounds: events per topic, bytes across topics, empty topics, shutdown. */
class TopicsTest {

  private static Topics topics(int history, long historyBytes) {
    Topics t = new Topics(history, historyBytes, 1 << 20);
    t.bind(new ServerMetrics(t));
    return t;
  }

  private static byte[] body(String data) {
    return EventEncoder.body(null, data);
  }

  @Test
  void historyBytesAreBoundedAcrossTopicsOldestFirst() throws Exception {
    Topics t = topics(1000, 10_000);
    Frame first = t.publish("a", null, body("x".repeat(3000)));
    t.publish("b", null, body("y".repeat(3000)));
    t.publish("a", null, body("z".repeat(3000)));
    assertThat(t.historyBytes()).isLessThanOrEqualTo(10_000);
    Frame fourth = t.publish("c", null, body("w".repeat(3000)));
    // The oldest event, whatever its topic, went first; the newest are held.
    assertThat(first.evicted).isTrue();
    assertThat(fourth.evicted).isFalse();
    assertThat(t.historyBytes()).isLessThanOrEqualTo(10_000);
    Topic a = first.topic;
    assertThat(a.seqOf(first.id)).isEqualTo(-1);
    assertThat(a.frame(first.seq)).isNull();
  }

  @Test
  void eventsPerTopicAreBoundedAndTheirBytesReleased() throws Exception {
    Topics t = topics(3, 1 << 20);
    Frame f = null;
    for (int i = 0; i < 100; i++) f = t.publish("a", null, body("e" + i));
    Topic a = f.topic;
    assertThat(a.frame(f.seq)).isSameAs(f);
    assertThat(a.frame(f.seq - 3)).isNull();
    assertThat(t.historyBytes()).isEqualTo(f.memoryCost() * 3);
  }

  @Test
  void emptyTopicsAreSweptSoNamesCannotFillTheRegistry() throws Exception {
    Topics t = topics(10, 1 << 20);
    EmbeddedChannel ch = new EmbeddedChannel();
    for (int i = 0; i < 50; i++) t.subscribe("t" + i, ch.eventLoop(), null);
    Topic kept = t.subscribe("kept", ch.eventLoop(), null).topic();
    for (Topic topic : t.all()) if (topic != kept) t.unsubscribed(topic);
    t.publish("with-history", null, body("x"));
    assertThat(t.size()).isEqualTo(52);
    assertThat(t.sweep()).isEqualTo(50);
    assertThat(t.all()).extracting(topic -> topic.name).containsExactlyInAnyOrder("kept", "with-history");
    ch.finishAndReleaseAll();
  }

  @Test
  void aClosedRegistryRefusesPublishes() {
    Topics t = topics(10, 1 << 20);
    t.close();
    assertThatThrownBy(() -> t.publish("a", null, body("x")))
        .isInstanceOf(Topics.Refused.class).hasMessageContaining("shutting down");
  }

  @Test
  void framesCarryTheIdLineAndTheBodyAsOneBlock() throws Exception {
    Topics t = topics(10, 1 << 20);
    Frame f = t.publish("a", "order-1", EventEncoder.body("note", "hi"));
    assertThat(new String(f.sseBytes(), StandardCharsets.UTF_8)).isEqualTo("id: order-1\nevent: note\ndata: hi\n\n");
    assertThat(f.size()).isEqualTo(f.sseBytes().length + Integer.toHexString(f.sseBytes().length).length() + 4);
  }
}
