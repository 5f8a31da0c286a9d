package dev.headend.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** FreePorts, ManualClock and TestData. */
class SupportTest {

  @Test
  void freePortsAreBindableForTcpAndUdpAndNeverRepeated() throws Exception {
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      int port = FreePorts.tcpAndUdp();
      assertTrue(seen.add(port), "port handed out twice: " + port);
      InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
      try (ServerSocket tcp = new ServerSocket();
          DatagramSocket udp = new DatagramSocket(at)) {
        tcp.bind(at);
        assertEquals(port, tcp.getLocalPort());
        assertEquals(port, udp.getLocalPort());
      }
    }
  }

  @Test
  void manualClockMovesOnlyWhenTold() throws Exception {
    ManualClock clock = ManualClock.at("2026-01-01T00:00:00Z");
    Instant t0 = clock.instant();
    Thread.sleep(5);
    assertEquals(t0, clock.instant());
    assertEquals(t0.plusSeconds(4), clock.advance(Duration.ofSeconds(4)));
    assertEquals(t0.plusSeconds(4).toEpochMilli(), clock.millis());
    ManualClock paris = clock.withZone(ZoneId.of("Europe/Paris"));
    clock.advance(Duration.ofMillis(1));
    assertEquals(clock.instant(), paris.instant(), "zone views share the time");
    assertNotEquals(clock.getZone(), paris.getZone());
    clock.set(t0.minusSeconds(60));
    assertEquals(t0.minusSeconds(60), paris.instant(), "set may step back");
    assertThrows(IllegalArgumentException.class, () -> clock.advance(Duration.ofMillis(-1)));
  }

  @Test
  void findsTheSharedTestData() {
    assertTrue(Files.isRegularFile(TestData.path("SOURCES.md")));
    assertTrue(TestData.text("dns", "SOURCES.md").contains("DNS"));
    AssertionError e =
        assertThrows(AssertionError.class, () -> TestData.path("dns", "no-such-vector"));
    assertTrue(e.getMessage().contains("missing test data"), e.getMessage());
  }
}
