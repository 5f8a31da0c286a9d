package dev.headend.dns.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** Whatever packets are lost, an answer is right or it is SERVFAIL, within the query budget. */
class ResolverLossPropertyTest {
  private static final Map<String, String> TRUTH =
      Map.of(
          "www.example.test.", "192.0.2.80",
          "alias.example.test.", "192.0.2.80",
          "cross.example.test.", "192.0.2.90",
          "www.other.test.", "192.0.2.90");

  @Property(tries = 150)
  void lossNeverProducesAWrongAnswer(
      @ForAll long seed, @ForAll @IntRange(min = 0, max = 70) int lossPercent) throws Exception {
    Random loss = new Random(seed);
    SimulatedInternet net =
        new SimulatedInternet(
            IterativeResolver.builder(RootHints.of(SimulatedInternet.ROOT))
                .random(new Random(seed + 1))
                .maxQueries(40));
    net.drop = a -> loss.nextInt(100) < lossPercent;
    for (String name :
        List.of(
            "www.example.test.",
            "alias.example.test.",
            "cross.example.test.",
            "www.other.test.",
            "nope.example.test.")) {
      int before = net.queriesSent.size();
      long id = net.resolver.resolve(net.now(), Name.fromString(name), Type.A);
      net.run();
      ResolverEvent.Resolved event = (ResolverEvent.Resolved) net.events.poll();
      assertEquals(id, event.requestId());
      Resolution r = event.resolution();
      assertTrue(
          net.queriesSent.size() - before <= 40, "budget: " + (net.queriesSent.size() - before));
      if (r.rcode() == Rcode.SERVFAIL) {
        continue;
      }
      if (name.startsWith("nope")) {
        assertEquals(Rcode.NXDOMAIN, r.rcode());
      } else {
        assertEquals(Rcode.NOERROR, r.rcode(), name);
        String last = r.answer().get(r.answer().size() - 1).rdataToString();
        assertEquals(TRUTH.get(name), last, name);
      }
    }
  }
}
