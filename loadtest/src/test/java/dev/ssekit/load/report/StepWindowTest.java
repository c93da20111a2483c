package dev.ssekit.load.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** A step's window read from the timeline: its fewest open streams and the CPU it spent, with the span between the readings. */
class StepWindowTest {
  private static final String EMPTY = HistogramFile.encode(new Histogram(3));

  private static RunRecord.TimelinePoint at(long ms, long open, Double cpu) {
    return new RunRecord.TimelinePoint(ms, open, null, 1, EMPTY, cpu);
  }

  @Test
  void cpuIsCountedFromTheLastReadingAtTheWindowsStartToItsLastReadingInside() {
    // Window (1,000, 2,500]. 500 and 1,000 are at or before its start: 1,000 (the later) begins it.
    // 2,500 has no CPU reading: 2,000 ends it. 10.8 - 10.0 = 0.8 s over 2,000 - 1,000 = 1,000 ms
    // (0.8 busy cores), not over the 1,500 ms window (0.53).
    List<RunRecord.TimelinePoint> timeline = List.of(at(500, 10, 9.0), at(1_000, 10, 10.0), at(1_500, 10, 10.4),
        at(2_000, 10, 10.8), at(2_500, 10, null), at(3_000, 10, 12.0));
    StepWindow.CpuSpent cpu = StepWindow.cpuSpent(1_000, 2_500, timeline);
    assertThat(cpu.seconds()).isCloseTo(0.8, within(1e-9));
    assertThat(cpu.spanMs()).isEqualTo(1_000);

    RunRecord.StepRecord s = StepWindow.measure(10, 1_000, 2_500, timeline);
    assertThat(s.cpuSpanMs()).isEqualTo(1_000);
    CapacityReport.Step line = Projections.step(s);
    assertThat(line.windowMs()).isEqualTo(1_500);
    assertThat(line.serverCpuWindowMs()).isEqualTo(1_000);
  }

  @Test
  void withoutAReadingBeforeTheWindowTheFirstInsideBeginsIt() {
    List<RunRecord.TimelinePoint> timeline = List.of(at(1_500, 10, 10.0), at(2_000, 10, null), at(2_500, 10, 10.6));
    StepWindow.CpuSpent cpu = StepWindow.cpuSpent(1_000, 2_500, timeline);
    assertThat(cpu.seconds()).isCloseTo(0.6, within(1e-9));
    assertThat(cpu.spanMs()).isEqualTo(1_000);
  }

  @Test
  void oneReadingIsNoCpuFigure() {
    assertThat(StepWindow.cpuSpent(1_000, 2_500, List.of(at(1_500, 10, 10.0), at(2_000, 10, null)))).isNull();
    assertThat(StepWindow.cpuSpent(1_000, 2_500, List.of(at(500, 10, 9.0), at(1_000, 10, 10.0))))
        .as("readings only before the window").isNull();
    assertThat(StepWindow.measure(10, 1_000, 2_500, List.of(at(1_500, 10, 10.0))).serverCpuSeconds()).isNull();
  }

  @Test
  void theFewestOpenStreamsInTheWindowAreKept() {
    // Median 100 (100, 100, 97, 100 → sorted 97, 100, 100, 100); fewest 97. 50 at 1,000 is before the window.
    List<RunRecord.TimelinePoint> timeline = List.of(at(1_000, 50, null), at(1_500, 100, null), at(2_000, 100, null),
        at(2_500, 97, null), at(3_000, 100, null));
    RunRecord.StepRecord s = StepWindow.measure(100, 1_000, 3_000, timeline);
    assertThat(s.open()).isEqualTo(100);
    assertThat(s.openMin()).isEqualTo(97);
    CapacityReport.Step line = Projections.step(s);
    assertThat(line.held()).isEqualTo(97);
    assertThat(CapacityPlan.miss(line, 250, true, false)).isEqualTo("97 of its 100 connections open");
  }
}
