package dev.ssekit.protocol;

/**
 * A valid {@code retry} field (ASCII digits only, within a {@code long}): the reconnection time
 * became {@code millis}. It takes effect when its line is processed, whether or not the block is
 * dispatched.
 *
 * @param millis milliseconds
 */
public record Retry(long millis) implements ParsedItem {}
