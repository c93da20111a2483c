package dev.ssekit.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class VectorsTest {

  @Test
  void everyVectorOnceWithBytesAndAnExpectation() {
    assertThat(Vectors.all()).hasSize(63).extracting(Vector::id).doesNotHaveDuplicates();
    assertThat(Vectors.all()).allSatisfy(v -> assertThat(v.whole()).isNotEmpty());
  }

  @Test
  void aVectorKeepsItsChunksItemsAndCursor() {
    Vector v42 = Vectors.get("V42");
    assertThat(v42.chunks()).hasSize(6);
    assertThat(new String(v42.whole(), StandardCharsets.UTF_8))
        .isEqualTo("data: Hello\r\ndata: World\r\n\r\ndata: OK\r\n\r\n");
    assertThat(v42.expected()).containsExactly(DispatchedEvent.message("Hello\nWorld"), DispatchedEvent.message("OK"));
    assertThat(Vectors.get("V29").expected()).containsExactly(new Retry(1500), DispatchedEvent.message("x"));
    assertThat(Vectors.get("V24").cursor()).isEqualTo("7");
    assertThat(Vectors.get("V01").cursor()).isNull();
  }

  @Test
  void escapesAreRawBytes() {
    assertThat(Vectors.unescape("a\\r\\n\\t\\0\\\\\\xEF\u20AC"))
        .containsExactly('a', '\r', '\n', '\t', 0, '\\', 0xEF, 0xE2, 0x82, 0xAC);
    assertThatThrownBy(() -> Vectors.unescape("\\q")).hasMessageContaining("unknown escape");
  }

  @Test
  void anUnknownIdIsAnError() {
    assertThatThrownBy(() -> Vectors.get("V99")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("V99");
  }
}
