package dev.headend.cli;

import java.util.ArrayList;
import java.util.List;

/** `headend serve` options for tests: DNS on any free port, every other service off, then more. */
final class QuietOptions {
  private QuietOptions() {}

  /** The quiet defaults followed by {@code more} (a later option wins). */
  static ServeOptions with(String... more) throws UsageException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--dns-port", "0",
                "--resolver-port", "-1",
                "--tftp-port", "-1",
                "--smtp-port", "-1",
                "--dhcp-port", "-1"));
    args.addAll(List.of(more));
    return ServeOptions.parse(args);
  }
}
