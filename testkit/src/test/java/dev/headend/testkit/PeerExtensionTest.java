package dev.headend.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/** Runs small fixture classes through JUnit to see what a missing peer does locally and in CI. */
class PeerExtensionTest {
  static final AtomicInteger RAN = new AtomicInteger();

  static class NeedsMissingPeer {
    @Test
    @RequiresPeer(value = "headend-no-such-peer", install = "apt-get install -y no-such-package")
    void test() {
      RAN.incrementAndGet();
    }
  }

  @RequiresPeer("headend-no-such-peer")
  static class WholeClassNeedsMissingPeer {
    @Test
    void test() {
      RAN.incrementAndGet();
    }
  }

  static class NeedsPresentPeers {
    @Test
    @RequiresPeer("sh")
    @RequiresPeer(value = "/bin/sh", install = "always there")
    void test() {
      RAN.incrementAndGet();
    }
  }

  private static Events run(Class<?> fixture, boolean ci) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter(Peers.CI_PARAMETER, Boolean.toString(ci))
        .selectors(selectClass(fixture))
        .execute()
        .allEvents();
  }

  @Test
  void aMissingPeerSkipsLocallyWithTheInstallHint() {
    RAN.set(0);
    Events events = run(NeedsMissingPeer.class, false);
    events.assertStatistics(s -> s.aborted(1).failed(0));
    Event aborted = events.aborted().list().get(0);
    String reason =
        aborted
            .getPayload(org.junit.platform.engine.TestExecutionResult.class)
            .orElseThrow()
            .getThrowable()
            .orElseThrow()
            .getMessage();
    assertTrue(reason.contains("'headend-no-such-peer' not found"), reason);
    assertTrue(reason.contains("apt-get install -y no-such-package"), reason);
    assertEquals(0, RAN.get());
  }

  @Test
  void aMissingPeerFailsInCi() {
    RAN.set(0);
    run(NeedsMissingPeer.class, true).assertStatistics(s -> s.failed(1).aborted(0));
    run(WholeClassNeedsMissingPeer.class, true).assertStatistics(s -> s.failed(1).aborted(0));
    assertEquals(0, RAN.get());
  }

  @Test
  void aClassLevelRequirementSkipsTheWholeClassLocally() {
    RAN.set(0);
    run(WholeClassNeedsMissingPeer.class, false).assertStatistics(s -> s.aborted(1).failed(0));
    assertEquals(0, RAN.get());
  }

  @Test
  void presentPeersLetTheTestRunEvenInCi() {
    RAN.set(0);
    run(NeedsPresentPeers.class, true).assertStatistics(s -> s.failed(0).aborted(0));
    assertEquals(1, RAN.get());
    assertTrue(Peers.find("sh").isPresent());
    assertTrue(Peers.find("/no/such/dir/sh").isEmpty());
  }
}
