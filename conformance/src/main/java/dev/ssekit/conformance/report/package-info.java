/**
 * The suite's reports. Checks publish their identity, evidence, notes and warnings as JUnit report
 * entries; {@link dev.ssekit.conformance.report.ResultCollector} (a launcher listener) turns a
 * run's events into a {@link dev.ssekit.conformance.report.RunReport}, which the
 * {@link dev.ssekit.conformance.report.ReportWriter}s write as {@code conformance.json},
 * {@code junit.xml} and {@code conformance.html}. {@link dev.ssekit.conformance.report.ConsoleReporter},
 * a second listener, prints progress while checks run and a summary at the end.
 */
package dev.ssekit.conformance.report;
