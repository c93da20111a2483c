package dev.ssekit.load.measure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeliveryStatsTest {
  private static String tick(long seq, long sentAtMicros) {
    return "{\"event\":\"tick\",\"id\":\"" + seq + "\",\"data\":{\"seq\":" + seq + ",\"sentAtMicros\":" + sentAtMicros + "}}";
  }

  @Test
  void serverPublishedTicksAreAccountedAndTimed() {
    DeliveryStats stats = new DeliveryStats(null, Long.MAX_VALUE);
    DeliveryStats.Connection c = stats.connecting();
    stats.connected(c, true, -1);
    stats.onMessage(c, 1_000, "{\"retry\":3000}");
    stats.onMessage(c, 1_002, tick(7, 1_000_000));
    stats.onMessage(c, 1_013, tick(8, 1_003_000));
    stats.onMessage(c, 1_013, tick(8, 1_003_000));
    stats.onMessage(c, 1_020, tick(10, 1_010_000));

    assertThat(stats.lastServerSeqBeforeEnd()).isEqualTo(10);
    assertThat(stats.settle(10, s -> false)).isEqualTo(new DeliveryStats.Totals(4, 3, 1, 1, 0));
    assertThat(stats.latencyMicros().getTotalCount()).isEqualTo(3); // the duplicate is not a delivery
    assertThat(stats.latencyMicros().getMaxValue()).isBetween(9_990L, 10_010L);
    assertThat(stats.diagnostics()).containsEntry("notEvents", 1L).containsEntry("events", 4L);
  }

  @Test
  void onlyAStreamCutOffWhileStillReceivingHasItsTailNotYetRead() {
    DeliveryStats stats = new DeliveryStats(null, Long.MAX_VALUE);
    long now = System.currentTimeMillis();
    // Still receiving when the drain ran out: 2..5 are on their way, not lost.
    DeliveryStats.Connection behind = stats.connecting();
    stats.connected(behind, true, -1);
    stats.onMessage(behind, now, tick(1, now * 1000));
    assertThat(stats.stillReceiving(behind, now + 500, 1_000)).isTrue();
    stats.cutOff(behind);
    // Late (5 s behind the server) and receiving up to its close, but it went quiet before the drain
    // ran out: whatever its server was going to send had come; its missing tail is lost. The old
    // rule (latency and a message near the close) called this not yet read.
    DeliveryStats.Connection quiet = stats.connecting();
    stats.connected(quiet, true, -1);
    stats.onMessage(quiet, now, tick(1, (now - 5_000) * 1000));
    assertThat(stats.stillReceiving(quiet, now + 1_000, 1_000)).as("quiet for the quiet period").isFalse();
    // A gap below what a cut-off stream received is lost all the same.
    DeliveryStats.Connection gap = stats.connecting();
    stats.connected(gap, true, -1);
    stats.onMessage(gap, now, tick(1, now * 1000));
    stats.onMessage(gap, now, tick(3, now * 1000));
    stats.cutOff(gap);

    assertThat(stats.settle(5, s -> false)).isEqualTo(new DeliveryStats.Totals(15, 4, 5, 0, 0, 6, 2));
  }

  @Test
  void aStreamHasCaughtUpAtThePublishersLastOrAtAnEventSentAfterTheAccountedRange() {
    DeliveryStats published = new DeliveryStats("run1", Long.MAX_VALUE);
    DeliveryStats.Connection c = published.connecting();
    published.connected(c, true, 0);
    published.onMessage(c, 5, "{\"event\":\"ssekit-load\",\"data\":{\"run\":\"run1\",\"seq\":1,\"sentAtMicros\":4000}}");
    assertThat(published.caughtUp(c, 2)).isFalse();
    assertThat(published.caughtUp(c, 1)).isTrue();

    DeliveryStats ticks = new DeliveryStats(null, 2_000_000);
    DeliveryStats.Connection t = ticks.connecting();
    ticks.connected(t, true, -1);
    ticks.onMessage(t, 1_500, tick(1, 1_500_000));
    assertThat(ticks.caughtUp(t, -1)).isFalse();
    ticks.onMessage(t, 2_500, tick(2, 2_500_000));
    assertThat(ticks.caughtUp(t, -1)).isTrue();
  }

  @Test
  void onlyThisRunsEventsAreAccountedWhenTheLoadTesterPublishes() {
    DeliveryStats stats = new DeliveryStats("run1", Long.MAX_VALUE);
    DeliveryStats.Connection c = stats.connecting();
    stats.connected(c, true, 0);
    stats.onMessage(c, 5, "{\"event\":\"ssekit-load\",\"data\":{\"run\":\"run1\",\"seq\":1,\"sentAtMicros\":4000}}");
    stats.onMessage(c, 5, tick(1, 4000)); // the server's own tick: counted, not accounted
    stats.onMessage(c, 5, "{\"event\":\"ssekit-load\",\"data\":{\"run\":\"other\",\"seq\":2,\"sentAtMicros\":4000}}");

    assertThat(stats.settle(2, s -> false)).isEqualTo(new DeliveryStats.Totals(2, 1, 1, 0, 0));
    assertThat(stats.diagnostics()).containsEntry("unaccountedEvents", 2L);
  }

  @Test
  void connectionCountsFollowConnectsAndCloses() {
    DeliveryStats stats = new DeliveryStats(null, Long.MAX_VALUE);
    DeliveryStats.Connection a = stats.connecting();
    DeliveryStats.Connection b = stats.connecting();
    DeliveryStats.Connection f = stats.connecting();
    stats.connected(a, true, -1);
    stats.connected(b, true, -1);
    stats.connected(f, false, -1);
    stats.closed(a);
    stats.closed(a);
    assertThat(stats.opened()).isEqualTo(2);
    assertThat(stats.failed()).isEqualTo(1);
    assertThat(stats.attempts()).isEqualTo(3);
    assertThat(stats.peakOpen()).isEqualTo(2);
    assertThat(stats.open()).isEqualTo(1);
    assertThat(stats.connectMicros().getTotalCount()).isEqualTo(2);
  }

  @Test
  void serverEventsSentAfterTheHoldAreNotExpected() {
    DeliveryStats stats = new DeliveryStats(null, 2_000_000);
    DeliveryStats.Connection c = stats.connecting();
    stats.connected(c, true, -1);
    stats.onMessage(c, 1_500, tick(1, 1_500_000));
    stats.onMessage(c, 2_500, tick(3, 2_500_000));
    assertThat(stats.lastServerSeqBeforeEnd()).isEqualTo(1);
    assertThat(stats.settle(stats.lastServerSeqBeforeEnd(), s -> false)).isEqualTo(new DeliveryStats.Totals(1, 1, 0, 0, 0));
  }

  @Test
  void aDroppedStreamIsNotOpenUntilItsReplacementOpens() {
    DeliveryStats stats = new DeliveryStats(null, Long.MAX_VALUE);
    DeliveryStats.Connection a = stats.connecting();
    DeliveryStats.Connection b = stats.connecting();
    stats.connected(a, true, -1);
    stats.connected(b, true, -1);
    stats.down(a);
    stats.down(a);
    assertThat(stats.open()).isEqualTo(1);
    stats.up(a);
    stats.up(a);
    assertThat(stats.open()).isEqualTo(2);
    assertThat(stats.peakOpen()).isEqualTo(2);
    assertThat(stats.opened()).as("a reconnect is not a new connection").isEqualTo(2);
    stats.down(b);
    stats.closed(b); // its reconnect failed
    assertThat(stats.open()).isEqualTo(1);
  }

  private static String published(String run, long seq, long sentAtMicros) {
    return "{\"event\":\"ssekit-load\",\"data\":{\"run\":\"" + run + "\",\"seq\":" + seq + ",\"sentAtMicros\":"
        + sentAtMicros + "}}";
  }

  @Test
  void anotherInjectorsEventsAreTimedAndCheckedForRepeatsAndOrderButNotForLoss() {
    DeliveryStats stats = new DeliveryStats("team-1", java.util.Set.of("team-2"), Long.MAX_VALUE);
    DeliveryStats.Connection c = stats.connecting();
    stats.connected(c, true, 0);
    stats.onMessage(c, 1_001, published("team-1", 1, 1_000_000));
    stats.onMessage(c, 1_002, published("team-2", 40, 1_000_000));
    stats.onMessage(c, 1_003, published("team-2", 42, 1_001_000)); // 41 never came: not this injector's to judge
    stats.onMessage(c, 1_004, published("team-2", 42, 1_001_000)); // a repeat is a fault whoever published it
    stats.onMessage(c, 1_005, published("team-2", 41, 1_001_000)); // and so is one out of order
    stats.onMessage(c, 1_006, published("team-1", 2, 1_002_000));
    stats.onMessage(c, 1_007, published("team-3", 1, 1_002_000)); // not of this test

    assertThat(stats.settle(2, s -> false)).isEqualTo(new DeliveryStats.Totals(2, 2, 0, 1, 1));
    assertThat(stats.latencyMicros().getTotalCount()).as("own 2, the peer's 3 (not its repeat)").isEqualTo(5);
    assertThat(stats.diagnostics()).containsEntry("peerEvents", 4L).containsEntry("unaccountedEvents", 1L);
  }
}
