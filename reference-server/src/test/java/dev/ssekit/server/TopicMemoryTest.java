package dev.ssekit.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, point 2: a topic's memory follows what it stores, --history-bytes bounds the history
 * (small events included), and topics created by subscribing are bounded. Heap figures are taken
 * after a full collection and compared with bounds far from both the old and the new cost.
 */
class TopicMemoryTest {

  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) System.gc();
    return MEMORY.getHeapMemoryUsage().getUsed();
  }

  private static Topics topics(int history, long historyBytes, int maxTopics) {
    Topics t = new Topics(history, historyBytes, 1 << 20, maxTopics);
    t.bind(new ServerMetrics(t));
    return t;
  }

  @Test
  void tenThousandOneEventTopicsCostWhatTheyHoldNotTheirHistoryLimit() throws Exception {
    long before = usedHeapAfterGc();
    Topics t = topics(20_000, 256L << 20, 10_000);
    for (int i = 0; i < 10_000; i++) t.publish("topic-" + i, null, EventEncoder.body(null, "event " + i));
    long used = usedHeapAfterGc() - before;
    // Before: each topic allocated its whole ring up front (20,000 slots, ~80 KiB): ~800 MiB.
    assertThat(used).as("heap for 10,000 one-event topics at --history 20000").isLessThan(32L << 20);
    assertThat(t.all()).allSatisfy(topic -> assertThat(topic.slots()).isEqualTo(Topic.MIN_SLOTS));
    assertThat(t.size()).isEqualTo(10_000);
  }

  @Test
  void subscribingCreatesAtMostMaxTopicsAndEachIsSmall() {
    EmbeddedChannel ch = new EmbeddedChannel();
    long before = usedHeapAfterGc();
    Topics t = topics(10_000, 256L << 20, 10_000);
    List<Topics.Start> starts = new ArrayList<>();
    for (int i = 0; i < 12_000; i++) {
      Topics.Start s = t.subscribe("sub-" + i, ch.eventLoop(), null);
      if (s != null) starts.add(s);
    }
    long used = usedHeapAfterGc() - before;
    assertThat(starts).hasSize(10_000); // past --max-topics a new name is refused (the stream is turned away)
    assertThat(used).as("heap for 10,000 topics made by subscribing").isLessThan(32L << 20);
    ch.finishAndReleaseAll();
  }

  @Test
  void historyBytesBoundSmallEventsTooCountingTheirUpkeep() throws Exception {
    Topics t = topics(10_000, 1 << 20, 100_000);
    Frame last = null;
    for (int i = 0; i < 20_000; i++) last = t.publish("t" + (i % 5000), null, EventEncoder.body(null, "e" + i));
    assertThat(t.historyBytes()).isLessThanOrEqualTo(1 << 20);
    // ~100 wire bytes an event but ~450 counted: far fewer than 20,000 are held in 1 MiB.
    long held = t.all().stream().mapToLong(topic -> topic.hasHistory() ? topic.lastSeq() - firstHeld(topic) + 1 : 0).sum();
    assertThat(held).isBetween(1_000L, (1L << 20) / Frame.OVERHEAD_BYTES);
    assertThat(last.topic.frame(last.seq)).isSameAs(last);
  }

  @Test
  void aRingGrowsAndShrinksWithWhatItHoldsAndReadersSeeEveryFrame() throws Exception {
    Topics t = topics(1000, 1L << 30, 10);
    List<Frame> frames = new ArrayList<>();
    for (int i = 0; i < 1000; i++) frames.add(t.publish("g", null, EventEncoder.body(null, "e" + i)));
    Topic g = frames.get(0).topic;
    assertThat(g.slots()).isEqualTo(1000);
    for (Frame f : frames) assertThat(g.frame(f.seq)).isSameAs(f);
    Frame next = t.publish("g", null, EventEncoder.body(null, "pushes the oldest out"));
    assertThat(g.frame(frames.get(0).seq)).isNull();
    assertThat(g.frame(next.seq)).isSameAs(next);
    // Evicting most of it (as the byte budget does) shrinks the ring; what is left is still found.
    for (int i = 1; i < 990; i++) g.evict(frames.get(i));
    assertThat(g.slots()).isLessThanOrEqualTo(64);
    for (int i = 990; i < 1000; i++) assertThat(g.frame(frames.get(i).seq)).isSameAs(frames.get(i));
    assertThat(g.frame(next.seq)).isSameAs(next);
  }

  private static long firstHeld(Topic topic) {
    long seq = topic.lastSeq();
    while (seq > 0 && topic.frame(seq - 1) != null) seq--;
    return seq;
  }
}
