package dev.ssekit.load.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ssekit.protocol.Durations;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SmallPartsTest {
  @Test
  void durationsAreWrittenWithAUnit() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("15s")).isEqualTo(Duration.ofSeconds(15));
    assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Durations.format(Duration.ofSeconds(120))).isEqualTo("2m");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    for (String bad : new String[] {"15", "1.5s", "-1s", "s", "10 s", "1d", ""}) {
      assertThatThrownBy(() -> Durations.parse(bad)).hasMessageContaining("not a duration");
    }
  }

  @Test
  void sourceAddressesAreLoopbackListsAndRanges() {
    assertThat(LoopbackTargets.sourceAddresses("127.0.0.2-127.0.0.4,127.1.0.1"))
        .containsExactly("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.1.0.1");
    assertThat(LoopbackTargets.sourceAddresses("127.0.0.9")).containsExactly("127.0.0.9");
    for (String bad : new String[] {"10.0.0.1", "localhost", "::1", "127.0.0.4-127.0.0.2", "127.0.0.1-127.0.1.3",
        "127.0.0.1,127.0.0.1", "127.0.0.0-127.0.1.0", "127.0.0.1-", ""}) {
      assertThatThrownBy(() -> LoopbackTargets.sourceAddresses(bad)).as(bad).hasMessageStartingWith("--local-addresses");
    }
  }

  @Test
  void sizesAreWrittenInBinaryUnits() {
    assertThat(Sizes.parse("1g")).isEqualTo(1L << 30);
    assertThat(Sizes.parse("512m")).isEqualTo(512L << 20);
    assertThat(Sizes.parse("2GiB")).isEqualTo(2L << 30);
    assertThat(Sizes.parse("64k")).isEqualTo(65_536);
    assertThat(Sizes.parse("1000")).isEqualTo(1000);
    assertThat(Sizes.format(1L << 30)).isEqualTo("1g");
    assertThat(Sizes.format(1536L << 20)).isEqualTo("1536m");
    assertThat(Sizes.format(1000)).isEqualTo("1000");
    for (String bad : new String[] {"1.5g", "-1g", "g", "1 g", "1x", "", "99999999999999t"}) {
      assertThatThrownBy(() -> Sizes.parse(bad)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://localhost:8080/events", "http://127.0.0.1/x", "https://127.1.2.3:1/",
      "http://[::1]:8080/events", "http://LOCALHOST/"})
  void loopbackTargetsAreAccepted(String url) {
    assertThat(LoopbackTargets.require("--url", url)).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://example.com/events", "http://10.0.0.1/", "http://128.0.0.1/", "http://127.0.0.1.example.com/",
      "http://0.0.0.0/", "http://[::2]/", "ftp://127.0.0.1/", "http://2130706433/", "127.0.0.1:8080"})
  void otherTargetsAreRefused(String url) {
    assertThatThrownBy(() -> LoopbackTargets.require("--url", url)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--url: ");
  }

  @Test
  void prometheusTextYieldsResidentMemory() {
    String text = "# HELP process_resident_memory_bytes Resident memory\n# TYPE process_resident_memory_bytes gauge\n"
        + "process_resident_memory_bytes_other 5\nprocess_resident_memory_bytes 1.234567E8\nsse_connections_open 3\n";
    assertThat(RssSource.prometheusValue(text, "process_resident_memory_bytes")).isEqualTo(OptionalLong.of(123456700));
    assertThat(RssSource.prometheusValue("x{a=\"b\"} 42\n", "x")).isEqualTo(OptionalLong.of(42));
    assertThat(RssSource.prometheusValue("y 1\n", "x")).isEmpty();
  }

  @Test
  void procStatusYieldsVmRss() {
    assertThat(RssSource.vmRss("Name:\tjava\nVmRSS:\t  123456 kB\nThreads: 3\n")).isEqualTo(OptionalLong.of(123456L * 1024));
    assertThat(RssSource.vmRss("Name:\tzombie\n")).isEmpty();
  }

  @Test
  void thisProcessMemoryIsReadableFromProc() {
    assertThat(RssSource.procStatus(ProcessHandle.current().pid()).read()).isPresent();
    assertThat(RssSource.procStatus(Long.MAX_VALUE).read()).isEmpty();
  }
}
