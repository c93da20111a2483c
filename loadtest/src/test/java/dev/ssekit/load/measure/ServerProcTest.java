package dev.ssekit.load.measure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerProcTest {
  @Test
  void theSoftOpenFileLimitIsRead() {
    String limits = """
        Limit                     Soft Limit           Hard Limit           Units
        Max processes             127488               127488               processes
        Max open files            20000                20000                files
        """;
    assertThat(ServerProc.maxOpenFiles(limits).getAsLong()).isEqualTo(20_000);
    assertThat(ServerProc.maxOpenFiles("Max processes 1 1 processes")).isEmpty();
  }

  @Test
  void anUnlimitedOpenFileLimitIsToldApartFromAnUnknownOne() {
    assertThat(ServerProc.maxOpenFiles("Max open files            unlimited            unlimited            files"))
        .hasValue(ServerProc.UNLIMITED);
    assertThat(ServerProc.maxOpenFiles("Max open files            lots                 lots                 files")).isEmpty();
  }

  @Test
  void theAllowedCpusAreCountedFromTheirList() {
    // 0-3 is 4, 6 is 1, 8-9 is 2: 7 CPUs.
    assertThat(ServerProc.allowedCpus("Name:\tjava\nCpus_allowed:\tff\nCpus_allowed_list:\t0-3,6,8-9\nMems_allowed:\t1\n"))
        .hasValue(7);
    assertThat(ServerProc.allowedCpus("Cpus_allowed_list:\t5\n")).hasValue(1);
    assertThat(ServerProc.allowedCpus("Cpus_allowed_list:\t3-1\n")).isEmpty();
    assertThat(ServerProc.allowedCpus("Name:\tjava\n")).isEmpty();
  }

  @Test
  void thisProcessCanBeRead() {
    ServerProc self = new ServerProc(ProcessHandle.current().pid());
    if (!java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self"))) {
      return; // not Linux
    }
    assertThat(self.cpuSeconds().getAsDouble()).isPositive();
    assertThat(self.maxOpenFiles()).isPresent();
    assertThat(self.openFiles().getAsLong()).isGreaterThan(2);
    assertThat(self.allowedCpus().getAsInt()).isPositive();
    assertThat(new ServerProc(Long.MAX_VALUE).cpuSeconds()).isEmpty();
  }
}
