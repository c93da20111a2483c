package dev.ssekit.load.measure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MachineMemoryTest {
  @Test
  void memTotalIsReadInKibibytes() {
    assertThat(MachineMemory.memTotal("MemTotal:       24576000 kB\nMemFree:        1000 kB\n")).isEqualTo(24_576_000L * 1024);
    assertThat(MachineMemory.memTotal("MemFree: 1 kB\n")).isZero();
    assertThat(MachineMemory.memTotal("MemTotal: lots\n")).isZero();
    assertThat(MachineMemory.totalBytes()).as("this Linux machine").isPositive();
  }
}
