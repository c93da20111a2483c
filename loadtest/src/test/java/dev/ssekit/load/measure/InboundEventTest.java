package dev.ssekit.load.measure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Gatling's JSON form of a block, as {@code ServerSentEvent.asJsonString} writes it in 3.15.1. */
class InboundEventTest {
  @Test
  void objectDataIsReadForItsNumbers() {
    InboundEvent e = InboundEvent.parse("{\"event\":\"tick\",\"id\":\"56\",\"data\":{\"seq\":56,\"sentAtMicros\":1795513528797000}}");
    assertThat(e.isEvent()).isTrue();
    assertThat(e.seq()).isEqualTo(56);
    assertThat(e.sentAtMicros()).isEqualTo(1795513528797000L);
    assertThat(e.run()).isNull();
  }

  @Test
  void aRetryOnlyBlockIsNotAnEvent() {
    // Gatling dispatches it; the spec does not (empty data buffer).
    assertThat(InboundEvent.parse("{\"retry\":3000}").isEvent()).isFalse();
    assertThat(InboundEvent.parse("{\"id\":\"5\"}").isEvent()).isFalse();
  }

  @Test
  void emptyDataIsAnEvent() {
    InboundEvent e = InboundEvent.parse("{\"data\":\"\"}");
    assertThat(e.isEvent()).isTrue();
    assertThat(e.data()).isEmpty();
    assertThat(e.sequenced()).isFalse();
  }

  @Test
  void stringDataIsUnescaped() {
    InboundEvent e = InboundEvent.parse("{\"data\":\"hello\\nworld\"}");
    assertThat(e.data()).isEqualTo("hello\nworld");
  }

  @Test
  void runIdIsRead() {
    InboundEvent e = InboundEvent.parse("{\"event\":\"ssekit-load\",\"data\":{\"run\":\"ab12\",\"seq\":3,\"sentAtMicros\":9}}");
    assertThat(e.run()).isEqualTo("ab12");
    assertThat(e.seq()).isEqualTo(3);
  }

  @Test
  void anUnescapedQuoteInTheEventTypeStillYieldsTheData() {
    // Gatling does not escape event or id: this is invalid JSON.
    InboundEvent e = InboundEvent.parse("{\"event\":\"a\"b\",\"id\":\"x\"y\",\"data\":{\"seq\":4,\"sentAtMicros\":5},\"retry\":10}");
    assertThat(e.isEvent()).isTrue();
    assertThat(e.seq()).isEqualTo(4);
    assertThat(e.sentAtMicros()).isEqualTo(5);
  }

  @Test
  void dataThatOnlyLooksLikeAnObjectIsPlainData() {
    // Gatling pastes {Title} raw (its open issue #4687): invalid JSON.
    InboundEvent e = InboundEvent.parse("{\"event\":\"x\",\"data\":{Title}}");
    assertThat(e.isEvent()).isTrue();
    assertThat(e.data()).isEqualTo("{Title}");
    assertThat(e.sequenced()).isFalse();
  }

  @Test
  void negativeOrFractionalNumbersAreNotSequenceNumbers() {
    assertThat(InboundEvent.parse("{\"data\":{\"seq\":-1}}").sequenced()).isFalse();
    assertThat(InboundEvent.parse("{\"data\":{\"seq\":1.5}}").sequenced()).isFalse();
    assertThat(InboundEvent.parse("{\"data\":{\"seq\":\"7\"}}").sequenced()).isFalse();
  }

  @Test
  void garbageIsNotAnEvent() {
    assertThat(InboundEvent.parse("not json").isEvent()).isFalse();
    assertThat(InboundEvent.parse("").isEvent()).isFalse();
    assertThat(InboundEvent.parse(null).isEvent()).isFalse();
  }
}
