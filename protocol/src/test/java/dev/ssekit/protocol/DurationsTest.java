package dev.ssekit.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @Test
  void everyUnitOfTheGrammar() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("15s")).isEqualTo(Duration.ofSeconds(15));
    assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void zeroBareOrWithAUnit() {
    assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
    assertThat(Durations.parse("0s")).isEqualTo(Duration.ZERO);
    assertThat(Durations.parse("0ms")).isEqualTo(Duration.ZERO);
    assertThat(Durations.parse("0h")).isEqualTo(Duration.ZERO);
  }

  @Test
  void surroundingWhitespaceAndLeadingZeros() {
    assertThat(Durations.parse("  30s\t")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse(" 0 ")).isEqualTo(Duration.ZERO);
    assertThat(Durations.parse("007s")).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void manyDigitsAreFineUpToTheLimit() {
    assertThat(Durations.parse("1000000000ms")).isEqualTo(Duration.ofMillis(1_000_000_000)); // 10 digits
    assertThat(Durations.parse("999999999999ms")).isEqualTo(Duration.ofMillis(999_999_999_999L)); // 12 digits
    assertThat(Durations.parse("2562047h")).isEqualTo(Duration.ofHours(2_562_047));
    assertThat(Durations.parse("9223372036854ms")).isEqualTo(Duration.ofMillis(9_223_372_036_854L));
  }

  @ParameterizedTest
  @ValueSource(strings = {"2562048h", "153722868m", "9223372037s", "9223372036855ms", "99999999999999999999s",
      "999999999999h"})
  void pastTheLimitIsTooLongNotWrapped(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'" + text + "' is too long a duration; at most 2562047h");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "15", "00", "1.5s", "-1s", "+1s", "-0", "s", "10 s", "1d", "1S", "5MS", "1h30m",
      "soon", "0x10s"})
  void anythingElseIsNotADuration(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'" + text + "' is not a duration; write it like 500ms, 15s, 2m or 1h (or 0)");
  }

  @Test
  void nullIsNotADuration() {
    assertThatThrownBy(() -> Durations.parse(null)).hasMessageStartingWith("'null' is not a duration");
  }

  @Test
  void formatUsesTheLargestExactUnitAndReadsBack() {
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Durations.format(Duration.ofSeconds(15))).isEqualTo("15s");
    assertThat(Durations.format(Duration.ofSeconds(120))).isEqualTo("2m");
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(Durations.format(Duration.ofHours(2))).isEqualTo("2h");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(Durations.format(Duration.ofNanos(1_500_000))).isEqualTo("1ms");
    for (Duration d : new Duration[] {Duration.ZERO, Duration.ofMillis(1), Duration.ofMillis(61_000), Duration.ofHours(25)}) {
      assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
    }
  }
}
