package dev.ssekit.load.measure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Gatling's JSON form of a block, exactly as {@code ServerSentEvent.asJsonString} writes it. */
class ResumeFieldsTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', nullValues = "null", value = {
      "{\"event\":\"tick\",\"id\":\"56\",\"data\":{\"seq\":56}}        | 56     | -1   | true",
      "{\"id\":\"56\",\"data\":\"x\",\"retry\":3000}                   | 56     | 3000 | true",
      "{\"data\":\"x\"}                                               | null   | -1   | true",
      "{\"retry\":2000}                                               | null   | 2000 | false",
      // an id-only block still sets the last event id (spec: dispatch step 1)
      "{\"id\":\"7\"}                                                 | 7      | -1   | false",
      "{\"id\":\"7\",\"retry\":10}                                    | 7      | 10   | false",
      // an empty id resets it
      "{\"id\":\"\",\"data\":\"x\"}                                   | ``     | -1   | true",
      // Gatling does not escape ids and event types: read them raw
      "{\"id\":\"a\\b\"c\",\"data\":\"x\"}                            | a\\b\"c | -1   | true",
      "{\"event\":\"a\"b\",\"id\":\"9\",\"data\":\"x\"}                 | 9      | -1   | true",
      // fields inside data are not the block's
      "{\"data\":{\"id\":\"no\",\"retry\":5}}                          | null   | -1   | true",
      "{\"event\":\"e\",\"data\":{\"a\":\"b\",\"id\":\"no\"}}           | null   | -1   | true",
      "{\"data\":\"a\\\",\\\"retry\\\":5\"}                           | null   | -1   | true",
      // not Gatling's layout
      "not json                                                       | null   | -1   | false",
      "{}                                                             | null   | -1   | false",
  })
  void readsIdRetryAndData(String message, String id, long retry, boolean hasData) {
    assertThat(ResumeFields.of(message)).isEqualTo(new ResumeFields(id, retry, hasData));
  }

  @Test
  void anIdWithNulIsIgnored() {
    assertThat(ResumeFields.of("{\"id\":\"a\0b\",\"data\":\"x\"}").id()).isNull();
  }

  @Test
  void nullIsNothing() {
    assertThat(ResumeFields.of(null)).isEqualTo(new ResumeFields(null, -1, false));
  }
}
