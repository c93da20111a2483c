package dev.ssekit.conformance.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ChunkLogTest {
  private static final byte[] ONE = {'x'};

  @Test
  void readsWithinAMillisecondJoinAndALaterOneStartsAnotherChunk() {
    ChunkLog log = new ChunkLog(0, new AtomicLong());
    log.store(bytes("ab"), bytes("ab"), true, 1_000);
    log.store(bytes("c"), bytes("c"), true, 500_000);
    log.store(bytes("d"), bytes("d"), true, 2_000_000);
    var stored = log.stored(true).decoded();
    assertThat(stored).hasSize(2);
    assertThat(new String(stored.get(0).bytes(), StandardCharsets.US_ASCII)).isEqualTo("abc");
    assertThat(stored.get(0).at()).isEqualTo(Duration.ofNanos(1_000));
    assertThat(new String(stored.get(1).bytes(), StandardCharsets.US_ASCII)).isEqualTo("d");
    assertThat(stored.get(1).at()).isEqualTo(Duration.ofNanos(2_000_000));
    // What was handed out stays as it was while the log goes on.
    log.store(bytes("e"), bytes("e"), true, 2_000_001);
    assertThat(new String(stored.get(1).bytes(), StandardCharsets.US_ASCII)).isEqualTo("d");
  }

  @Test
  void aFloodOfOneByteReadsCostsEachByteOnceNotACopyOfAllJoinedSoFar() {
    ChunkLog log = new ChunkLog(0, new AtomicLong());
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(id);
    int reads = 300_000;
    for (int i = 0; i < reads; i++) {
      log.store(ONE, ONE, true, i); // a nanosecond apart: all join, up to 256 KiB a chunk
    }
    long allocated = threads.getThreadAllocatedBytes(id) - before;
    var stored = log.stored(true).decoded();
    assertThat(stored).hasSize(2);
    assertThat(stored.get(0).bytes()).hasSize(256 * 1024);
    assertThat(stored.get(0).bytes().length + stored.get(1).bytes().length).isEqualTo(reads);
    // Doubling buffers: a few times the bytes. Copying the joined chunk on every read was gigabytes.
    assertThat(allocated).as("bytes allocated for %d one-byte reads", reads).isLessThan(16L << 20);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
