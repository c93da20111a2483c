package dev.ssekit.conformance.record;

import dev.ssekit.conformance.config.Target;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.ParseException;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;

/**
 * Publishes through the target's publish contract for a {@link Recorder}: one POST of JSON to the
 * publish URL with the {@code --publish-header} values, bounded as a whole (a server that trickles
 * its answer cannot hold a check), its answer read up to 64 KiB for the {@code id} it names.
 */
final class Publisher implements AutoCloseable {

  /** The {@code "id": "…"} member of a publish answer. */
  private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final CloseableHttpClient client;
  private final Target target;
  private final Object publishingAlone = new Object();
  private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "ssekit-recorder-deadlines");
    t.setDaemon(true);
    return t;
  });

  Publisher(CloseableHttpClient client, Target target) {
    this.client = client;
    this.target = target;
  }

  /** See {@link Recorder#publishAlone}. */
  Recorder.Published publishAlone(String json) throws IOException {
    synchronized (publishingAlone) {
      return publish(json);
    }
  }

  /** See {@link Recorder#publish}. */
  Recorder.Published publish(String json) throws IOException {
    HttpPost post = new HttpPost(target.publishUrl());
    post.setEntity(new ByteArrayEntity(json.getBytes(StandardCharsets.UTF_8), ContentType.APPLICATION_JSON));
    for (Target.Header h : target.publishHeaders()) post.setHeader(h.name(), h.value());
    post.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(10)).build());
    // A whole-exchange deadline: a server that trickles its answer cannot hold a check for long.
    var deadline = deadlines.schedule(post::cancel, 15, TimeUnit.SECONDS);
    try {
      return client.execute(post, response -> {
        String body;
        try {
          body = response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8,
              64 * 1024);
        } catch (ParseException e) {
          body = "";
        }
        Matcher m = ID.matcher(body);
        return new Recorder.Published(response.getCode(), body, m.find() ? m.group(1) : null);
      });
    } finally {
      deadline.cancel(false);
    }
  }

  @Override
  public void close() {
    deadlines.shutdownNow();
  }
}
