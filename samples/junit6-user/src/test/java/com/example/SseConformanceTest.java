package com.example;

import org.junit.platform.suite.api.IncludeClassNamePatterns;
import org.junit.platform.suite.api.SelectPackages;
import org.junit.platform.suite.api.Suite;

/**
 * The ssekit checks and the project's own (StreamPolicyChecks), as one suite that Surefire's
 * default includes pick up by its name.
 */
@Suite
@SelectPackages({"dev.ssekit.conformance.checks", "com.example"})
@IncludeClassNamePatterns(".*Checks")
class SseConformanceTest {}
