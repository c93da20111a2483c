package dev.ssekit.load.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ServerProcTest {
  @Test
  void cpuIsUserPlusSystemTicksAfterTheCommandName() {
    // utime 1234 and stime 66 ticks (fields 14 and 15): 13.00 s; the name holds a space and a ')'.
    String stat = "4242 (java x) y) S 1 4242 4242 0 -1 4194560 51 0 0 0 1234 66 0 0 20 0 30 0 100 0 0";
    assertThat(ServerProc.cpuSeconds(stat).getAsDouble()).isCloseTo(13.0, within(1e-9));
    assertThat(ServerProc.cpuSeconds("garbage")).isEmpty();
  }

  @Test
  void theSoftOpenFileLimitIsRead() {
    String limits = """
        Limit                     Soft Limit           Hard Limit           Units
        Max processes             127488               127488               processes
        Max open files            20000                20000                files
        """;
    assertThat(ServerProc.maxOpenFiles(limits).getAsLong()).isEqualTo(20_000);
    assertThat(ServerProc.maxOpenFiles("Max open files            unlimited            unlimited            files")).isEmpty();
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
    assertThat(new ServerProc(Long.MAX_VALUE).cpuSeconds()).isEmpty();
  }
}
