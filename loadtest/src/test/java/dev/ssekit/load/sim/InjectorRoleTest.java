package dev.ssekit.load.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InjectorRoleTest {
  @Test
  void sharesAddUpToTheWholeAndDifferByAtMostOne() {
    for (int n = 1; n <= 5; n++) {
      for (int total : new int[] {n, 7, 100, 18_001}) {
        int sum = 0;
        for (int k = 1; k <= n; k++) {
          int share = new InjectorRole(k, n, n == 1 ? null : "t", null, null).share(total);
          assertThat(share).isBetween(total / n, total / n + 1);
          sum += share;
        }
        assertThat(sum).as("%d over %d", total, n).isEqualTo(total);
      }
    }
  }

  @Test
  void everyInjectorsStepsGrowOrTheStepsAreRefused() {
    InjectorRole first = new InjectorRole(1, 3, "t", null, null);
    InjectorRole third = new InjectorRole(3, 3, "t", null, null);
    assertThat(first.shareSteps(List.of(1000, 2000, 5000))).containsExactly(334, 667, 1667);
    assertThat(third.shareSteps(List.of(1000, 2000, 5000))).containsExactly(333, 666, 1666);
    assertThat(first.shareSteps(List.of(3, 6))).containsExactly(1, 2);
    // 4 and 5 over 3 injectors: the third would hold 1 in both steps.
    assertThatThrownBy(() -> third.shareSteps(List.of(4, 5)))
        .hasMessage("with 3 injectors every step must be at least 3 more connections than the one before (each"
            + " injector takes an equal share), got [4, 5]");
    assertThatThrownBy(() -> first.shareSteps(List.of(2, 10))).hasMessageContaining("got [2, 10]");
  }

  @Test
  void eachInjectorPublishesUnderItsOwnRunIdAndKnowsItsPeers() {
    InjectorRole second = InjectorRole.parse(" 2/3 ", "nightly-7", null, null);
    assertThat(second.runId("ignored")).isEqualTo("nightly-7-2");
    assertThat(second.peerRunIds()).containsExactly("nightly-7-1", "nightly-7-3");
    assertThat(InjectorRole.ALONE.runId("abc")).isEqualTo("abc");
    assertThat(InjectorRole.ALONE.peerRunIds()).isEmpty();
  }

  @Test
  void badRolesAreRefusedInOneLine() {
    assertThatThrownBy(() -> InjectorRole.parse("2", "t", null, null)).hasMessageStartingWith("--injector takes K/N");
    assertThatThrownBy(() -> InjectorRole.parse("a/b", "t", null, null)).hasMessageStartingWith("--injector takes K/N");
    assertThatThrownBy(() -> InjectorRole.parse("3/2", "t", null, null)).hasMessage("--injector K/N needs 1 <= K <= N, not 3/2");
    assertThatThrownBy(() -> InjectorRole.parse("1/17", "t", null, null)).hasMessage("injectors must be between 1 and 16, not 17");
    assertThatThrownBy(() -> InjectorRole.parse("1/2", null, null, null)).hasMessageContaining("share a --run-id");
    assertThatThrownBy(() -> InjectorRole.parse("1/2", "Has Spaces", null, null)).hasMessageContaining("share a --run-id");
    assertThatThrownBy(() -> InjectorRole.parseStartAt("18:30")).hasMessageStartingWith("--start-at takes an instant like");
    assertThat(InjectorRole.parseStartAt("2026-12-07T18:30:00Z")).isEqualTo(1_796_668_200_000L);
  }

  @Test
  void aGatedInjectorSaysItIsReadyAndStartsWhenTheGateNamesTheStart(@TempDir Path dir) throws Exception {
    Path gate = dir.resolve("start-at");
    InjectorRole role = new InjectorRole(1, 2, "t", null, gate);
    long start = System.currentTimeMillis() + 300;
    Thread opener = new Thread(() -> {
      try {
        while (!Files.exists(dir.resolve(InjectorRole.READY_FILE))) {
          Thread.sleep(10);
        }
        Files.writeString(gate, Long.toString(start));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    opener.start();
    role.awaitStart(dir, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    opener.join();
    assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(start);
    assertThat(Files.readString(dir.resolve(InjectorRole.READY_FILE))).isEqualTo(Long.toString(ProcessHandle.current().pid()));
  }

  @Test
  void anInjectorThatStartsLateSaysByHowMuch(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    new InjectorRole(2, 2, "t", System.currentTimeMillis() - 5_000, null)
        .awaitStart(dir, new PrintStream(log, true, StandardCharsets.UTF_8));
    assertThat(log.toString(StandardCharsets.UTF_8)).startsWith("ssekit load: injector 2 of 2 started ")
        .contains("s after the agreed start");
  }
}
