package dev.ssekit.protocol;

/**
 * What a conforming client reports while it reads an event stream, in stream order: the events it
 * dispatches and the reconnection times it takes. The spec vectors ({@link Vectors}) and the
 * reference server's scenarios state their expectations in these terms.
 */
public sealed interface ParsedItem permits DispatchedEvent, Retry {}
