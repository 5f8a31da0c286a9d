package dev.headend.mail.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.mail.delivery.MxLookup.MxRecord;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MxRouteTest {

  @Test
  void sortsByPreference() {
    FakeMxLookup dns =
        new FakeMxLookup()
            .mx("b.test", new MxRecord(20, "backup.b.test."), new MxRecord(10, "MX.b.test"));
    MxRoute r = MxRoute.plan("B.test", dns, new Random(1));
    assertEquals(List.of("mx.b.test", "backup.b.test"), r.hosts());
    assertNull(r.failure());
  }

  @Test
  void equalPreferencesAreShuffledButStayBeforeWorseOnes() {
    FakeMxLookup dns =
        new FakeMxLookup()
            .mx(
                "b.test",
                new MxRecord(10, "a"),
                new MxRecord(10, "b"),
                new MxRecord(10, "c"),
                new MxRecord(50, "z"));
    Set<String> firsts = new HashSet<>();
    Random random = new Random(42);
    for (int i = 0; i < 60; i++) {
      List<String> hosts = MxRoute.plan("b.test", dns, random).hosts();
      assertEquals(4, hosts.size());
      assertEquals("z", hosts.get(3));
      assertEquals(Set.of("a", "b", "c"), new HashSet<>(hosts.subList(0, 3)));
      firsts.add(hosts.get(0));
    }
    assertEquals(
        Set.of("a", "b", "c"), firsts, "every equal-preference host comes first sometimes");
  }

  @Test
  void noMxFallsBackToTheDomainItself() {
    MxRoute r = MxRoute.plan("b.test", new FakeMxLookup(), new Random(1));
    assertEquals(List.of("b.test"), r.hosts());
  }

  @Test
  void nullMxIsAPermanentFailure() {
    FakeMxLookup dns = new FakeMxLookup().mx("b.test", new MxRecord(0, "."));
    MxRoute r = MxRoute.plan("b.test", dns, new Random(1));
    assertTrue(r.hosts().isEmpty());
    assertEquals(556, r.failure().code());
    assertEquals("5.1.10", r.failure().enhancedStatus());
  }

  @Test
  void nxdomainIsPermanentAndServfailTransient() {
    FakeMxLookup dns = new FakeMxLookup().nxdomain("gone.test").servfail("flaky.test");
    assertEquals(550, MxRoute.plan("gone.test", dns, new Random(1)).failure().code());
    assertEquals(451, MxRoute.plan("flaky.test", dns, new Random(1)).failure().code());
  }

  @Test
  void duplicateExchangersAreTriedOnce() {
    FakeMxLookup dns =
        new FakeMxLookup().mx("b.test", new MxRecord(10, "mx"), new MxRecord(20, "mx."));
    assertEquals(List.of("mx"), MxRoute.plan("b.test", dns, new Random(1)).hosts());
  }
}
