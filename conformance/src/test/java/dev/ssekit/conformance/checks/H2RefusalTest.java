package dev.ssekit.conformance.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import org.junit.jupiter.api.Test;

/**
 * Only the HTTP/2 client's own refusal of a malformed response is evidence against H-08; a reset,
 * an early end or a GOAWAY says nothing about the header fields (the check then skips).
 */
class H2RefusalTest {
  @Test
  void onlyAMalformedResponseCountsAgainstTheHeaders() {
    assertThat(Http2Exchange.malformed(new ProtocolException("Bad header name 'Transfer-Encoding'"))).isTrue();
    assertThat(Http2Exchange.malformed(new IOException("malformed response: upper-case header"))).isTrue();
    assertThat(Http2Exchange.malformed(new IOException("wrapped", new ProtocolException("x")))).isTrue();
    assertThat(Http2Exchange.malformed(new EOFException("EOF reached while reading"))).isFalse();
    assertThat(Http2Exchange.malformed(new IOException("Connection reset"))).isFalse();
    assertThat(Http2Exchange.malformed(new IOException((String) null))).isFalse();
    assertThat(Http2Exchange.malformed(new IOException("Received RST_STREAM: Refused stream"))).isFalse();
  }
}
