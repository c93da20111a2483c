package com.example;

import dev.ssekit.conformance.checks.CheckNames;
import dev.ssekit.conformance.checks.Findings;
import dev.ssekit.conformance.checks.PassiveStream;
import dev.ssekit.conformance.checks.Severity;
import dev.ssekit.conformance.checks.SseCheck;
import dev.ssekit.conformance.checks.SseExtension;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.extension.ExtendWith;

/** A check of the project's own: its web app reads the stream with credentials, so '*' will not do. */
@DisplayNameGeneration(CheckNames.class)
@ExtendWith(SseExtension.class)
class StreamPolicyChecks {
  @SseCheck(id = "http.cors-app-origin", severity = Severity.SHOULD,
      spec = "https://fetch.spec.whatwg.org/#http-cors-protocol",
      summary = "The stream is offered to our web app's origin")
  void cors(PassiveStream stream, Findings f) {
    f.evidence("response headers: " + stream.recording().headers());
    f.assertThat(stream.recording().header("Access-Control-Allow-Origin"))
        .as("Access-Control-Allow-Origin (the app at https://app.example reads the stream with credentials)")
        .isEqualTo("https://app.example");
  }
}
