package dev.headend.dhcp.server;

import static dev.headend.dhcp.server.Harness.SERVER;
import static dev.headend.dhcp.server.Harness.ip;
import static dev.headend.dhcp.server.Harness.mac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.net.Ipv4Address;
import dev.headend.dhcp.server.Harness.Sent;
import dev.headend.dhcp.wire.DhcpMessage;
import dev.headend.dhcp.wire.DhcpMessageType;
import dev.headend.dhcp.wire.MalformedDhcpMessageException;
import dev.headend.dhcp.wire.RelayAgentInfo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

class DhcpServerPropertiesTest {

  /** One step of a random client population. */
  record Step(int kind, int client, int host, int seconds) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 8),
            Arbitraries.integers().between(1, 12),
            Arbitraries.integers().between(95, 112),
            Arbitraries.integers().between(1, 1200))
        .as(Step::new)
        .list()
        .ofMaxSize(200);
  }

  /**
   * Whatever clients do (DORA, INIT-REBOOT with any address, renew, rebind, release, decline, time
   * passing), no address is ever ACKed to a client while another client holds it, and no client
   * holds two bound leases.
   */
  @Property(tries = 300)
  void randomClientSequencesNeverGiveOneAddressToTwoClients(@ForAll("steps") List<Step> steps)
      throws MalformedDhcpMessageException, IOException {
    Harness h =
        Harness.of(
            DhcpServer.builder(SERVER)
                .subnet(
                    Subnet.builder(Harness.LAN)
                        .pool(ip("10.99.0.100"), ip("10.99.0.107"))
                        .leaseTime(Duration.ofMinutes(10))
                        .leaseTimeBounds(Duration.ofMinutes(1), Duration.ofMinutes(20))
                        .reserve(Reservation.forMac(mac(12), ip("10.99.0.50")))
                        .build())
                .offerHoldTime(Duration.ofSeconds(20))
                .declineQuarantine(Duration.ofMinutes(5))
                .authoritative(steps.size() % 2 == 0));
    Map<Integer, Holder> held = new HashMap<>(); // address -> client and expiry, from ACKs
    Map<Integer, Ipv4Address> offers = new HashMap<>();
    Map<Integer, Ipv4Address> bound = new HashMap<>();
    int seen = 0;
    for (Step s : steps) {
      Ipv4Address any = new Ipv4Address(ip("10.99.0.0").value() + s.host());
      DhcpMessage.Builder b;
      switch (s.kind()) {
        case 0 -> b = h.request(DhcpMessageType.DISCOVER, mac(s.client()));
        case 1 -> {
          Ipv4Address o = offers.getOrDefault(s.client(), any);
          b =
              h.request(DhcpMessageType.REQUEST, mac(s.client()))
                  .requestedAddress(o)
                  .serverIdentifier(SERVER);
        }
        case 2 -> b = h.request(DhcpMessageType.REQUEST, mac(s.client())).requestedAddress(any);
        case 3 ->
            b =
                h.request(DhcpMessageType.REQUEST, mac(s.client()))
                    .ciaddr(bound.getOrDefault(s.client(), any));
        case 4 ->
            b =
                h.request(DhcpMessageType.RELEASE, mac(s.client()))
                    .ciaddr(bound.getOrDefault(s.client(), any));
        case 5 ->
            b =
                h.request(DhcpMessageType.DECLINE, mac(s.client()))
                    .requestedAddress(bound.getOrDefault(s.client(), any));
        case 6 ->
            b =
                h.request(DhcpMessageType.DISCOVER, mac(s.client()))
                    .giaddr(ip("10.99.0.254"))
                    .relayAgentInfo(RelayAgentInfo.builder().circuitId(new byte[] {1}).build());
        default -> {
          h.advance(Duration.ofSeconds(s.seconds()));
          b = null;
        }
      }
      if (b == null) {
        // time passed
      } else {
        for (Sent sent : h.send(b)) {
          DhcpMessageType t = sent.type();
          int a = sent.message().yiaddr().value();
          if (t == DhcpMessageType.OFFER) {
            offers.put(s.client(), sent.message().yiaddr());
          } else if (t == DhcpMessageType.ACK && a != 0) {
            Instant now = h.clock.instant();
            Holder other = held.get(a);
            if (other != null && other.client != s.client() && other.until.isAfter(now)) {
              throw new AssertionError(
                  new Ipv4Address(a)
                      + " ACKed to "
                      + s.client()
                      + " while "
                      + other.client
                      + " holds it until "
                      + other.until);
            }
            long lease = sent.message().leaseTime().orElseThrow();
            held.put(a, new Holder(s.client(), now.plusSeconds(lease)));
            Ipv4Address before = bound.put(s.client(), sent.message().yiaddr());
            if (before != null
                && before.value() != a
                && held.containsKey(before.value())
                && held.get(before.value()).client == s.client()) {
              held.remove(before.value()); // a client has one binding: the new one ends the old
            }
          }
        }
      }
      // what the server says ended ends the holder's claim
      for (; seen < h.events.size(); seen++) {
        DhcpServerEvent e = h.events.get(seen);
        if (e instanceof DhcpServerEvent.Released r) {
          held.remove(r.address().value());
        } else if (e instanceof DhcpServerEvent.Declined d) {
          held.remove(d.address().value());
        } else if (e instanceof DhcpServerEvent.Dropped d) {
          assertNotEquals(DropReason.INTERNAL_ERROR, d.reason(), d.detail());
        }
      }
      Set<ClientKey> clients = new HashSet<>();
      for (Lease l : h.server.leases()) {
        if (l.state() == Lease.State.BOUND && l.time().isAfter(h.clock.instant())) {
          assertTrue(clients.add(l.client()), () -> l.client() + " holds two leases");
        }
      }
    }
  }

  private record Holder(int client, Instant until) {}

  @Property(tries = 2000)
  void garbageDatagramsNeverThrowAndAreDroppedWithAReason(@ForAll @Size(max = 700) byte[] datagram)
      throws IOException {
    DhcpServer server = Harness.lan().build();
    server.handle(Instant.EPOCH, Harness.FROM_CLIENT, ByteBuffer.wrap(datagram));
    assertQuiet(server);
  }

  @Provide
  Arbitrary<byte[]> mutated() {
    byte[] discover =
        DhcpMessage.builder()
            .xid(7)
            .chaddr(mac(1))
            .messageType(DhcpMessageType.REQUEST)
            .requestedAddress(ip("10.99.0.100"))
            .serverIdentifier(SERVER)
            .parameterRequestList(List.of(1, 3, 6, 15, 51, 54, 58, 59))
            .relayAgentInfo(RelayAgentInfo.builder().circuitId(new byte[] {1, 2}).build())
            .giaddr(ip("10.99.0.254"))
            .build()
            .encode();
    return Arbitraries.integers()
        .between(0, discover.length - 1)
        .list()
        .ofMinSize(1)
        .ofMaxSize(8)
        .flatMap(
            positions ->
                Arbitraries.bytes()
                    .list()
                    .ofSize(positions.size())
                    .map(
                        values -> {
                          byte[] b = discover.clone();
                          for (int i = 0; i < positions.size(); i++) {
                            b[positions.get(i)] = values.get(i);
                          }
                          return b;
                        }));
  }

  @Property(tries = 2000)
  void mutatedRequestsNeverThrowOrFailInternally(@ForAll("mutated") byte[] datagram)
      throws IOException {
    DhcpServer server = Harness.lan().build();
    server.handle(
        Instant.EPOCH, new InetSocketAddress("10.99.0.254", 67), ByteBuffer.wrap(datagram));
    assertQuiet(server);
  }

  private static void assertQuiet(DhcpServer server) {
    ByteBuffer out = ByteBuffer.allocate(65_535);
    int sent = 0;
    while (server.pollTransmit(out.clear()) != null) {
      sent++;
    }
    int events = 0;
    DhcpServerEvent e;
    while ((e = server.pollEvent()) != null) {
      events++;
      if (e instanceof DhcpServerEvent.Dropped d) {
        assertNotEquals(DropReason.INTERNAL_ERROR, d.reason(), d.detail());
      }
    }
    assertTrue(sent + events > 0, "every datagram is answered or reported");
    assertEquals(0, server.lostEvents());
  }
}
