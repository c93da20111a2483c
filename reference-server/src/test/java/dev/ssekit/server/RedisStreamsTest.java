package dev.ssekit.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ssekit.testkit.Closer;
import dev.ssekit.testkit.RedisProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The broker's Redis side against a real {@code redis-server}: what one instance publishes another
 * reads once, in order, with the stream's ids; a killed Redis is reported and, restarted from its
 * append-only file, read on after the last id seen, nothing lost or read twice.
 */
class RedisStreamsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @AutoClose
  private final Closer closer = new Closer();

  /** What a {@link RedisStreams} handed to its sink. */
  static final class Seen implements RedisStreams.Sink {
    final List<String> lines = new CopyOnWriteArrayList<>();
    final List<String> health = new CopyOnWriteArrayList<>();

    @Override
    public void entries(String topic, List<RedisStreams.Entry> entries) {
      for (RedisStreams.Entry e : entries) lines.add(topic + " " + e.id() + " " + e.event() + " " + e.data());
    }

    @Override
    public void health(String reason) {
      health.add(reason == null ? "up" : "down");
    }

    List<String> data() {
      return lines.stream().map(l -> l.substring(l.lastIndexOf(' ') + 1)).toList();
    }
  }

  private <T extends AutoCloseable> T keep(T c) {
    return closer.keep(c);
  }

  @Test
  void whatOneInstancePublishesAnotherReadsOnceInOrderWithTheStreamIds() throws Exception {
    RedisProcess redis = keep(RedisProcess.start(false));
    Seen a = new Seen();
    Seen b = new Seen();
    RedisStreams one = keep(new RedisStreams(redis.uri(), 100, a));
    RedisStreams two = keep(new RedisStreams(redis.uri(), 100, b));
    two.follow("news", "0-0");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) ids.add(one.publish("news", i == 2 ? "alert" : null, "e" + i).toCompletableFuture().get(5, TimeUnit.SECONDS));
    await(() -> b.lines.size() == 5);
    assertThat(b.lines).containsExactly(
        "news " + ids.get(0) + " null e0", "news " + ids.get(1) + " null e1", "news " + ids.get(2) + " alert e2",
        "news " + ids.get(3) + " null e3", "news " + ids.get(4) + " null e4");
    assertThat(a.lines).as("an instance reads only the topics it follows").isEmpty();
    assertThat(one.tail("news").toCompletableFuture().get(5, TimeUnit.SECONDS)).extracting(RedisStreams.Entry::id)
        .containsExactlyElementsOf(ids);
  }

  @Test
  void aTailWhoseEntriesWereAllSkippedIsFollowedAfterItsNewestEntryNotFromTheStart() throws Exception {
    RedisProcess redis = keep(RedisProcess.start(false));
    RedisStreams writer = keep(new RedisStreams(redis.uri(), 100, new Seen()));
    for (int i = 0; i < 5; i++) writer.publish("t", null, "old" + i).toCompletableFuture().get(5, TimeUnit.SECONDS);
    // Another program's entries whose type would inject fields: skipped, so the mirror's tail is empty.
    for (int i = 0; i < 3; i++) writer.publish("t", "x\ndata: injected", "bad").toCompletableFuture().get(5, TimeUnit.SECONDS);
    Topics topics = new Topics(3, 1 << 20, 1 << 20, 10);
    topics.bind(new ServerMetrics(topics));
    RedisBroker broker = keep(new RedisBroker(redis.uri(), 3, topics));
    broker.mirror("t").toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(topics.find("t").lastSeq()).as("nothing kept from the tail").isZero();

    String fresh = writer.publish("t", null, "new").toCompletableFuture().get(5, TimeUnit.SECONDS);
    await(() -> topics.find("t").seqOf(fresh) >= 0);
    assertThat(topics.find("t").lastSeq()).as("only the new entry: not the stream's past read again as new").isEqualTo(1);
  }

  @Test
  void anErrorRedisAnswersIsARefusalNotAnOutageNorAnUnknownOutcome() throws Exception {
    RedisProcess redis = keep(RedisProcess.start(false));
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.uri());
    try (var c = client.connect()) {
      c.sync().set("ssekit:events:t", "not a stream");
    } finally {
      client.shutdown();
    }
    RedisStreams s = keep(new RedisStreams(redis.uri(), 10, new Seen()));
    Throwable failure = catchThrowable(() -> s.publish("t", null, "x").toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertThat(RedisBroker.refusedByRedis(failure)).as("WRONGTYPE: Redis ran the command and appended nothing").isTrue();
    assertThat(RedisBroker.rejected(failure)).as("not unreachable").isFalse();
    assertThat(RedisBroker.reason(failure)).startsWith("WRONGTYPE");
    assertThat(s.up()).as("Redis is up all the same").isTrue();
  }

  @Test
  void theHistoryIsKeptToAboutItsLength() throws Exception {
    RedisProcess redis = keep(RedisProcess.start(false));
    RedisStreams s = keep(new RedisStreams(redis.uri(), 10, new Seen()));
    for (int i = 0; i < 500; i++) s.publish("t", null, "x" + i).toCompletableFuture().get(5, TimeUnit.SECONDS);
    List<RedisStreams.Entry> tail = s.tail("t").toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(tail).hasSize(10).last().extracting(RedisStreams.Entry::data).isEqualTo("x499");
  }

  @Test
  void aKilledRedisIsReportedAndFromItsAppendOnlyFileReadOnAfterTheLastIdSeen() throws Exception {
    RedisProcess redis = keep(RedisProcess.start(true));
    Seen seen = new Seen();
    RedisStreams writer = keep(new RedisStreams(redis.uri(), 100, new Seen()));
    RedisStreams reader = keep(new RedisStreams(redis.uri(), 100, seen));
    reader.follow("t", "0-0");
    for (int i = 0; i < 3; i++) writer.publish("t", null, "a" + i).toCompletableFuture().get(5, TimeUnit.SECONDS);
    await(() -> seen.lines.size() == 3);

    redis.kill();
    await(() -> !seen.health.isEmpty()); // the sink hears of it right after up() turns false
    assertThat(reader.up()).isFalse();
    assertThat(reader.downReason()).startsWith("redis unreachable");
    assertThat(seen.health).containsExactly("down");
    assertThat(writer.publish("t", null, "lost").toCompletableFuture()).failsWithin(Duration.ofSeconds(5));

    redis.restart();
    await(reader::up);
    await(writer::up);
    for (int i = 0; i < 3; i++) writer.publish("t", null, "b" + i).toCompletableFuture().get(5, TimeUnit.SECONDS);
    await(() -> seen.lines.size() == 6 && seen.health.size() == 2);
    assertThat(seen.data()).containsExactly("a0", "a1", "a2", "b0", "b1", "b2");
    assertThat(seen.health).containsExactly("down", "up");
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within " + WAIT);
      Thread.sleep(20);
    }
  }
}
