package dev.ssekit.load.measure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StormStatsTest {
  private final StormStats stats = new StormStats(Duration.ofSeconds(10));

  private static String tick(long seq, long sentAtMicros) {
    return "{\"event\":\"tick\",\"id\":\"" + seq + "\",\"data\":{\"seq\":" + seq + ",\"sentAtMicros\":" + sentAtMicros + "}}";
  }

  /** One stream's side of the storm: drop, reconnect, and the new stream opens or not. */
  private void storm(StormStats.Stream s, boolean opens) {
    stats.dropping(s);
    stats.reconnecting(s);
    stats.reconnected(s, opens);
  }

  @Test
  void theLastIdAndRetryHintComeFromTheMessagesInArrivalOrder() {
    StormStats.Stream s = stats.stream();
    assertThat(s.lastEventId()).isNull();
    assertThat(stats.reconnectDelay(s)).isEqualTo(Duration.ZERO);
    stats.onMessage(s, 1, "{\"retry\":1500}");
    stats.onMessage(s, 2, tick(1, 0));
    stats.onMessage(s, 3, tick(2, 0));
    stats.onMessage(s, 4, "{\"data\":\"no id\"}");
    assertThat(s.lastEventId()).isEqualTo("2");
    assertThat(stats.reconnectDelay(s)).isEqualTo(Duration.ofMillis(1500));
    stats.onMessage(s, 5, "{\"id\":\"\",\"data\":\"reset\"}");
    assertThat(s.lastEventId()).as("an empty id means no Last-Event-ID").isNull();
  }

  @Test
  void theRetryHintIsCapped() {
    StormStats.Stream s = stats.stream();
    stats.onMessage(s, 1, "{\"retry\":600000}");
    assertThat(stats.reconnectDelay(s)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void recoveryIsTheFirstEventOnTheNewStreamAndReplayIsWhatWasSentBeforeTheReconnect() {
    StormStats.Stream a = stats.stream();
    StormStats.Stream b = stats.stream();
    stats.onMessage(a, 1, tick(1, 0));
    stats.onMessage(b, 1, tick(1, 0));
    storm(a, true);
    storm(b, true);
    assertThat(stats.result().recoveryMs()).as("not every stream has an event yet").isNull();

    long now = System.currentTimeMillis();
    stats.onMessage(a, now, "{\"retry\":300}"); // not an event: no recovery
    stats.onMessage(a, now, tick(2, 1)); // sent long before the reconnect: replayed
    stats.onMessage(a, now, tick(3, 2));
    stats.onMessage(a, now, tick(4, (now + 60_000) * 1000)); // sent after: live, the replay is over
    stats.onMessage(a, now, tick(5, 3)); // not counted any more
    stats.onMessage(b, now + 5, tick(4, (now + 60_000) * 1000));

    StormStats.Result r = stats.result();
    assertThat(r.dropped()).isEqualTo(2);
    assertThat(r.reconnects()).isEqualTo(2);
    assertThat(r.failed()).isZero();
    assertThat(r.recovered()).isEqualTo(2);
    assertThat(r.replayed()).isEqualTo(2);
    assertThat(r.withoutLastEventId()).isZero();
    assertThat(r.recoveryMs()).isNotNull().isGreaterThanOrEqualTo(0);
    assertThat(stats.recoveryMicros().getTotalCount()).isEqualTo(2);
    assertThat(stats.reconnectMicros().getTotalCount()).isEqualTo(2);
  }

  @Test
  void aFailedReconnectIsCountedAndLeavesRecoveryUnknown() {
    StormStats.Stream ok = stats.stream();
    StormStats.Stream bad = stats.stream();
    storm(ok, true);
    storm(bad, false);
    stats.onMessage(ok, System.currentTimeMillis(), tick(1, 0));

    StormStats.Result r = stats.result();
    assertThat(r.reconnects()).isEqualTo(1);
    assertThat(r.failed()).isEqualTo(1);
    assertThat(r.withoutLastEventId()).as("neither had received an id").isEqualTo(2);
    assertThat(r.recoveryMs()).isNull();
    assertThat(r.diagnostics()).containsEntry("stormReconnectsFailed", 1L).containsEntry("stormRecovered", 1L);
  }
}
