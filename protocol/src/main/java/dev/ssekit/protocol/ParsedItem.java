package dev.ssekit.protocol;

/**
 * What a conforming client reports while it reads an event stream, in stream order: the events it
 * dispatches and the reconnection times it takes. The spec vectors ({@link Vectors}) and the
 * reference server's scenarios state their expectations in these terms; the oracle parser reports
 * them among its {@link StreamItem}s.
 */
public sealed interface ParsedItem extends StreamItem permits DispatchedEvent, Retry {}
