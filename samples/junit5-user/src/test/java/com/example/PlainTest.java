package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The project's own test, which must still run beside the checks. */
class PlainTest {
  @Test
  void addsUp() {
    System.out.println("PlainTest ran");
    assertEquals(4, 2 + 2);
  }
}
