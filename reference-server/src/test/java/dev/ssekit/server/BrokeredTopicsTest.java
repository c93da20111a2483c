package dev.ssekit.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Topics as a broker's mirror: a topic is filled from the stream's tail once, then from the reader
 * in stream order, never with an id twice or backwards; resuming compares stream ids (an id below
 * the oldest held was let go, one above the newest was not read here yet); a swept topic is
 * unfollowed.
 */
class BrokeredTopicsTest {

  private final List<String> swept = new ArrayList<>();

  private Topics topics(int history, int maxTopics) {
    Topics t = new Topics(history, 1 << 20, 1 << 20, maxTopics);
    t.bind(new ServerMetrics(t));
    t.brokered(swept::add);
    return t;
  }

  private static Topics.BrokerEvent event(String id, String data) {
    return new Topics.BrokerEvent(id, EventEncoder.body(null, data));
  }

  @Test
  void aTopicIsMirroredOnceFromItsTailThenReadOnInStreamOrder() throws Exception {
    Topics t = topics(3, 10);
    assertThat(t.mirrored("news")).isFalse();
    assertThat(t.mirror("news", List.of(event("5-0", "a"), event("5-1", "b")))).isEqualTo("5-1");
    assertThat(t.mirror("news", List.of(event("5-0", "a")))).as("mirrored already").isNull();
    assertThat(t.mirror("empty", List.of())).as("an empty stream is read from its start").isEqualTo("0-0");

    // The reader's batch overlaps the tail (a race with a re-mirror): only newer ids are appended.
    assertThat(t.appendFromBroker("news", List.of(event("5-1", "b"), event("4-9", "old"), event("6-0", "c")))).isEqualTo(1);
    Topic news = t.find("news");
    assertThat(news.seqOf("5-0")).isEqualTo(1);
    assertThat(news.seqOf("6-0")).isEqualTo(3);
    assertThat(t.appendFromBroker("gone", List.of(event("7-0", "x")))).as("not mirrored here").isZero();

    // Resuming: below the oldest held was let go; above the newest was not read here yet.
    t.appendFromBroker("news", List.of(event("7-0", "d")));
    assertThat(news.seqOf("5-0")).as("pushed out at --history 3").isEqualTo(-1);
    assertThat(news.issuedAndGone("5-0")).isTrue();
    assertThat(news.issuedAndGone("5-1")).isFalse();
    assertThat(news.issuedAndGone("not-an-id")).isFalse();
    assertThat(news.ahead("7-1")).isTrue();
    assertThat(news.ahead("7-0")).isFalse();
    assertThat(news.ahead("12")).as("not a stream id").isFalse();
  }

  @Test
  void aSubscriberResumesAfterABrokerIdAndASweptTopicIsUnfollowed() throws Exception {
    Topics t = topics(10, 10);
    t.mirror("a", List.of(event("1-0", "x"), event("2-0", "y")));
    t.mirror("b", List.of());
    EmbeddedChannel ch = new EmbeddedChannel();
    Topics.Start start = t.subscribe("a", ch.eventLoop(), "1-0");
    assertThat(start.resumed()).isTrue();
    assertThat(start.nextSeq()).isEqualTo(2);
    assertThat(t.sweep()).isEqualTo(1);
    assertThat(swept).containsExactly("b");
    assertThat(t.mirrored("b")).isFalse();
  }

  @Test
  void aResumeFromAnIdNotYetReadHereStartsLiveAndSkipsWhatIsReadUpToIt() throws Exception {
    Topics t = topics(10, 10);
    t.mirror("a", List.of(event("1-0", "x"), event("2-0", "y")));
    EmbeddedChannel ch = new EmbeddedChannel();
    // Another instance issued 4-0; this one has read up to 2-0 (its catch-up wait ran out).
    Topics.Start start = t.subscribe("a", ch.eventLoop(), "4-0");
    assertThat(start.resumed()).isFalse();
    assertThat(start.ahead()).as("not a miss: the client has everything held here").isTrue();
    assertThat(start.heldIds()).as("no miss notice").isNull();
    assertThat(start.nextSeq()).as("the live edge").isEqualTo(3);
    Subscriber s = new Subscriber(ch, false, start.group(), start.nextSeq(), start.joinedAtBytes());
    s.skipThrough = StreamId.parse("4-0");
    start.group().add(s);

    t.appendFromBroker("a", List.of(event("3-0", "z"), event("4-0", "w"), event("5-0", "v"), event("6-0", "u")));
    ch.runPendingTasks();

    StringBuilder sent = new StringBuilder();
    for (Object m; (m = ch.readOutbound()) != null; ) {
      io.netty.buffer.ByteBuf b = (io.netty.buffer.ByteBuf) m;
      sent.append(b.toString(java.nio.charset.StandardCharsets.UTF_8));
      b.release();
    }
    assertThat(sent.toString()).as("3-0 and 4-0 are the client's already").doesNotContain("id: 3-0").doesNotContain("id: 4-0")
        .contains("id: 5-0\ndata: v\n\n").contains("id: 6-0\ndata: u\n\n");
    assertThat(s.skipThrough).as("cleared past it").isNull();
  }

  @Test
  void anIdFromTheFutureOrOneAnEmptyMirrorCannotPlaceIsAMissNotASilentSkip() throws Exception {
    Topics t = topics(10, 10);
    t.mirror("a", List.of(event("1-0", "x"), event("2-0", "y")));
    t.mirror("empty", List.of());
    EmbeddedChannel ch = new EmbeddedChannel();
    String future = (System.currentTimeMillis() + 3_600_000) + "-0";
    Topics.Start forged = t.subscribe("a", ch.eventLoop(), future);
    assertThat(forged.ahead()).as("Redis issues ids from its clock: an hour ahead is forged or foreign").isFalse();
    assertThat(forged.heldIds()).as("told what is held (a reset)").containsExactly("1-0", "2-0");
    Topics.Start lost = t.subscribe("empty", ch.eventLoop(), "1-0");
    assertThat(lost.ahead()).as("an empty mirror cannot tell a lost stream from a fast one").isFalse();
  }

  @Test
  void aTopicSweptSinceItWasMirroredIsNotSubscribedToButMirroredAgain() throws Exception {
    Topics t = topics(10, 10);
    t.mirror("a", List.of());
    assertThat(t.sweep()).isEqualTo(1); // between the mirror and the subscribe
    EmbeddedChannel ch = new EmbeddedChannel();
    assertThat(t.subscribe("a", ch.eventLoop(), null)).isSameAs(Topics.NOT_MIRRORED);
    assertThat(t.mirrored("a")).as("not created by the subscribe").isFalse();
  }

  @Test
  void aFullRegistryRefusesToMirrorANewTopic() throws Exception {
    Topics t = topics(10, 1);
    t.mirror("a", List.of(event("1-0", "x")));
    assertThatThrownBy(() -> t.mirror("b", List.of())).isInstanceOf(Topics.Refused.class)
        .hasMessageContaining("--max-topics");
  }

  @Test
  void streamIdsParseOnlyInRedisForm() {
    assertThat(StreamId.parse("1733580000000-12")).isEqualTo(new StreamId(1733580000000L, 12));
    assertThat(StreamId.parse("1-0").compareTo(StreamId.parse("0-99"))).isPositive();
    for (String bad : List.of("", "-", "1-", "-1", "01-0", "1-01", "1--1", "+1-0", "a-b", "1733580000000", "99999999999999999999-0")) {
      assertThat(StreamId.parse(bad)).as(bad).isNull();
    }
  }
}
