package dev.ssekit.server;

import io.netty.channel.Channel;

/**
 * One open event stream: the few fields a subscription needs, weighed against the
 * per-connection memory budget. Confined to its channel's event loop after creation.
 */
final class Subscriber {

  final Channel channel;
  final boolean chunked;
  /** Events with {@code seq <= startSeq} were in the replay (or before this stream); skip them. */
  long startSeq;
  /** Position in its {@link LoopSubscribers} array, for O(1) removal; -1 when not registered. */
  int index = -1;

  Subscriber(Channel channel, boolean chunked) {
    this.channel = channel;
    this.chunked = chunked;
  }
}
