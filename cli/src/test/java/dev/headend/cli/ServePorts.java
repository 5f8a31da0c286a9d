package dev.headend.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where a running `headend serve` says one of its TCP services listens. */
final class ServePorts {
  private ServePorts() {}

  /** The loopback TCP port of {@code service} ("smtp", "smtps") in the serve's description. */
  static String tcp(Serve serve, String service) {
    String text = String.join("\n", serve.description());
    Matcher m = Pattern.compile(service + " +tcp +127\\.0\\.0\\.1:(\\d+) ").matcher(text);
    assertTrue(m.find(), text);
    return m.group(1);
  }
}
