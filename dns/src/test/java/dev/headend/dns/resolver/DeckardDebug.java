package dev.headend.dns.resolver;

import dev.headend.testkit.TestData;

/** Runs one Deckard scenario with the traffic trace on: main(file). For debugging only. */
public final class DeckardDebug {
  private DeckardDebug() {}

  /** Runs the scenario named by the first argument. */
  public static void main(String[] args) throws Exception {
    System.setProperty("deckard.trace", "true");
    DeckardScenario s = DeckardScenario.parse(args[0], TestData.text("dns", "deckard", args[0]));
    System.err.println(String.join("\n\n", new DeckardRunner(s).run()));
  }
}
