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
  void aStreamStillDeliveringLateAtTheEndIsBehindNotLossy() {
    DeliveryStats stats = new DeliveryStats(null, Long.MAX_VALUE);
    long now = System.currentTimeMillis();
    // Still reading at the end, 5 s behind the server: 2..5 are on their way, not lost.
    DeliveryStats.Connection behind = stats.connecting();
    stats.connected(behind, true, -1);
    stats.onMessage(behind, now, tick(1, (now - 5_000) * 1000));
    // Quiet for 10 s before the end, and on time when it last read: its missing tail is lost.
    DeliveryStats.Connection starved = stats.connecting();
    stats.connected(starved, true, -1);
    stats.onMessage(starved, now - 10_000, tick(1, (now - 10_000) * 1000));
    // Reading at the end, but on time: the server skipped 2..5 (it sends others), so they are lost.
    DeliveryStats.Connection skipped = stats.connecting();
    stats.connected(skipped, true, -1);
    stats.onMessage(skipped, now, tick(1, now * 1000));
    stats.onMessage(skipped, now, "{\"event\":\"other\",\"data\":\"x\"}");

    assertThat(stats.settle(5, s -> false, 1_000)).isEqualTo(new DeliveryStats.Totals(15, 3, 8, 0, 0, 4, 1));
    assertThat(stats.settle(5, s -> false)).as("without the rule every missing delivery is lost")
        .isEqualTo(new DeliveryStats.Totals(15, 3, 12, 0, 0));
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
}
