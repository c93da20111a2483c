package dev.ssekit.load.measure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ssekit.load.measure.SequenceTracker.Arrival;
import dev.ssekit.load.measure.SequenceTracker.Result;
import org.junit.jupiter.api.Test;

class SequenceTrackerTest {
  private static final java.util.function.LongPredicate ALL_PUBLISHED = s -> false;

  @Test
  void everyNumberOnceInOrderIsCompleteDelivery() {
    SequenceTracker t = SequenceTracker.startingAfter(3);
    for (long s = 4; s <= 10; s++) {
      assertThat(t.record(s)).isEqualTo(Arrival.IN_ORDER);
    }
    assertThat(t.settle(10, ALL_PUBLISHED)).isEqualTo(new Result(7, 7, 0, 0, 0));
  }

  @Test
  void aReaderBehindTheStreamHasItsTailNotYetReadButItsGapsLost() {
    SequenceTracker t = SequenceTracker.startingAfter(0);
    t.record(1);
    t.record(3); // 2 is a gap: a later number came, so the server lost it
    assertThat(t.settle(6, ALL_PUBLISHED, true)).isEqualTo(new Result(6, 2, 1, 0, 0, 3));
    assertThat(t.settle(6, ALL_PUBLISHED, false)).as("a reader that was not behind: the tail is lost too")
        .isEqualTo(new Result(6, 2, 4, 0, 0, 0));
  }

  @Test
  void aGapIsLostAndARepeatIsDuplicated() {
    SequenceTracker t = SequenceTracker.startingAfter(0);
    assertThat(t.record(1)).isEqualTo(Arrival.IN_ORDER);
    assertThat(t.record(2)).isEqualTo(Arrival.IN_ORDER);
    assertThat(t.record(2)).isEqualTo(Arrival.DUPLICATE);
    assertThat(t.record(4)).isEqualTo(Arrival.IN_ORDER);
    assertThat(t.settle(5, ALL_PUBLISHED)).isEqualTo(new Result(5, 3, 2, 1, 0));
  }

  @Test
  void aLateNumberIsOutOfOrderButDelivered() {
    SequenceTracker t = SequenceTracker.startingAfter(0);
    t.record(1);
    t.record(3);
    assertThat(t.record(2)).isEqualTo(Arrival.OUT_OF_ORDER);
    assertThat(t.record(2)).isEqualTo(Arrival.DUPLICATE);
    assertThat(t.settle(3, ALL_PUBLISHED)).isEqualTo(new Result(3, 3, 0, 1, 1));
  }

  @Test
  void numbersPublishedBeforeTheConnectionOpenedAreNotExpected() {
    SequenceTracker t = SequenceTracker.startingAfter(5);
    assertThat(t.record(5)).isEqualTo(Arrival.EARLY);
    assertThat(t.record(6)).isEqualTo(Arrival.IN_ORDER);
    assertThat(t.settle(6, ALL_PUBLISHED)).isEqualTo(new Result(1, 1, 0, 0, 0));
  }

  @Test
  void numbersAfterTheEndAreNeitherExpectedNorDelivered() {
    SequenceTracker t = SequenceTracker.startingAfter(0);
    t.record(1);
    t.record(2);
    t.record(3);
    assertThat(t.settle(2, ALL_PUBLISHED)).isEqualTo(new Result(2, 2, 0, 0, 0));
  }

  @Test
  void failedPublishesAreNotExpected() {
    SequenceTracker t = SequenceTracker.startingAfter(0);
    t.record(1);
    t.record(3);
    assertThat(t.settle(3, s -> s == 2)).isEqualTo(new Result(2, 2, 0, 0, 0));
  }

  @Test
  void withAnUnknownStartTheLowestArrivalStartsTheRange() {
    SequenceTracker t = SequenceTracker.fromFirstArrival();
    t.record(100);
    t.record(102);
    assertThat(t.record(99)).isEqualTo(Arrival.OUT_OF_ORDER);
    assertThat(t.record(99)).isEqualTo(Arrival.DUPLICATE);
    assertThat(t.settle(103, ALL_PUBLISHED)).isEqualTo(new Result(5, 3, 2, 1, 1));
  }

  @Test
  void nothingReceivedWithAnUnknownStartExpectsNothing() {
    assertThat(SequenceTracker.fromFirstArrival().settle(50, ALL_PUBLISHED)).isEqualTo(new Result(0, 0, 0, 0, 0));
  }

  @Test
  void nothingReceivedWithAKnownStartLosesEverything() {
    assertThat(SequenceTracker.startingAfter(0).settle(4, ALL_PUBLISHED)).isEqualTo(new Result(4, 0, 4, 0, 0));
  }

  @Test
  void aNumberFarAboveTheFirstIsNotTracked() {
    SequenceTracker t = SequenceTracker.startingAfter(0);
    t.record(1);
    assertThat(t.record(2 + SequenceTracker.MAX_SPAN)).isEqualTo(Arrival.OUT_OF_RANGE);
    assertThat(t.settle(1, ALL_PUBLISHED)).isEqualTo(new Result(1, 1, 0, 0, 0));
  }
}
