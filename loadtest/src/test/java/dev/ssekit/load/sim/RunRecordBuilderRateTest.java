package dev.ssekit.load.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The events per connection per second the CPU limit is sized on: the run's publish rate, not what got through. */
class RunRecordBuilderRateTest {
  @Test
  void thePublishRateWhenThisRunPublished() {
    assertThat(RunRecordBuilder.eventsPerConnection(10.0, 123L, 60_000)).isEqualTo(10.0);
  }

  @Test
  void elseWhatTheServerPublishedOverTheTime() {
    // 600 events over 60 s: 10 a second; 100 over 30 s: 3.333.
    assertThat(RunRecordBuilder.eventsPerConnection(null, 600L, 60_000)).isEqualTo(10.0);
    assertThat(RunRecordBuilder.eventsPerConnection(null, 100L, 30_000)).isEqualTo(3.333);
    assertThat(RunRecordBuilder.eventsPerConnection(null, null, 60_000)).isNull();
    assertThat(RunRecordBuilder.eventsPerConnection(null, 600L, 0)).isNull();
  }
}
