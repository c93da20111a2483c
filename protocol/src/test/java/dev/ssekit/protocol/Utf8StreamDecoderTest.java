package dev.ssekit.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The WHATWG UTF-8 decoder: replacement per maximal subpart, chunk independence, one BOM. */
class Utf8StreamDecoderTest {

  static String decode(byte[]... chunks) {
    StringBuilder sb = new StringBuilder();
    Utf8StreamDecoder d = new Utf8StreamDecoder(sb::appendCodePoint);
    for (byte[] c : chunks) d.feed(c, 0, c.length);
    d.end();
    return sb.toString();
  }

  static byte[] b(int... v) {
    byte[] out = new byte[v.length];
    for (int i = 0; i < v.length; i++) out[i] = (byte) v[i];
    return out;
  }

  @Test
  void invalidSequencesBecomeOneReplacementPerMaximalSubpart() {
    // Examples from the Encoding standard and Unicode's "U+FFFD substitution of maximal subparts".
    assertThat(decode(b(0xFF))).isEqualTo("\uFFFD");
    assertThat(decode(b(0xE2, 0x82))).isEqualTo("\uFFFD");                  // truncated 3-byte: one
    assertThat(decode(b(0xE2, 0x82, 0x41))).isEqualTo("\uFFFDA");           // the A is re-read
    assertThat(decode(b(0xC0, 0x80))).isEqualTo("\uFFFD\uFFFD");            // overlong lead: each byte
    assertThat(decode(b(0xED, 0xA0, 0x80))).isEqualTo("\uFFFD\uFFFD\uFFFD"); // surrogate: ED then two
    assertThat(decode(b(0xF4, 0x90, 0x80, 0x80))).isEqualTo("\uFFFD\uFFFD\uFFFD\uFFFD"); // > U+10FFFF
    assertThat(decode(b(0xF0, 0x9F, 0x98))).isEqualTo("\uFFFD");
    assertThat(decode(b(0x80))).isEqualTo("\uFFFD");
  }

  @Test
  void validTextDecodesLikeTheJdkAtAnyChunking() {
    String text = "a\u00e9\u20ac\uD83D\uDE00\u8C46z\uFEFF";
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    for (int size = 1; size <= bytes.length; size++) {
      assertThat(decode(EventStreamParserTest.every(bytes, size).toArray(byte[][]::new))).isEqualTo(text);
    }
  }

  @Test
  void exactlyOneLeadingBomIsRemovedEvenWhenSplit() {
    assertThat(decode(b(0xEF), b(0xBB), b(0xBF, 'x'))).isEqualTo("x");
    assertThat(decode(b(0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF))).isEqualTo("\uFEFF");
    assertThat(decode(b('x', 0xEF, 0xBB, 0xBF))).isEqualTo("x\uFEFF");
    assertThat(decode(b(0xFF, 0xEF, 0xBB, 0xBF))).isEqualTo("\uFFFD\uFEFF");
  }

  @Test
  void randomBytesNeverThrowAndMatchAtEveryChunking() {
    Random random = new Random(99);
    for (int round = 0; round < 2000; round++) {
      byte[] bytes = new byte[random.nextInt(24)];
      random.nextBytes(bytes);
      String whole = decode(bytes);
      assertThat(decode(EventStreamParserTest.every(bytes, 1).toArray(byte[][]::new))).isEqualTo(whole);
    }
  }
}
