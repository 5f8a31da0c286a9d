package dev.headend.dhcp.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.Transmit;
import dev.headend.dhcp.wire.DhcpMessage;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class DhcpClientPropertiesTest {
  private static final InetSocketAddress FROM = new InetSocketAddress("10.99.0.1", 67);

  /** Drives a client with a live server into one of its states. */
  private static Link inState(int which) {
    Link link = Link.standard();
    switch (which % 6) {
      case 0 -> {} // INIT
      case 1 -> {
        link.serverUp = false;
        link.start(); // SELECTING
      }
      case 2 -> link.start(); // BOUND
      case 3 -> {
        link.start();
        link.serverUp = false;
        link.advance(Duration.ofMinutes(31)); // RENEWING
      }
      case 4 -> {
        link.start();
        link.serverUp = false;
        link.advance(Duration.ofMinutes(53)); // REBINDING
      }
      default -> {
        link.start();
        link.client.release(link.clock.instant()); // STOPPED
      }
    }
    link.pump();
    return link;
  }

  @Property(tries = 300)
  void arbitraryBytesNeverThrowInAnyState(
      @ForAll @IntRange(min = 0, max = 5) int state, @ForAll @Size(max = 700) byte[] garbage) {
    Link link = inState(state);
    long before = link.client.ignored();
    link.client.handle(link.clock.instant(), FROM, ByteBuffer.wrap(garbage));
    assertTrue(link.client.ignored() >= before);
    drain(link);
    assertLeaseMatchesState(link.client);
  }

  @Property(tries = 500)
  void mutatedRepliesWithTheRightXidNeverThrow(
      @ForAll @IntRange(min = 0, max = 5) int state,
      @ForAll("mutations") List<int[]> mutations,
      @ForAll @IntRange(min = 1, max = 6) int type) {
    Link link = inState(state);
    DhcpMessage reply =
        DhcpMessage.builder()
            .op(DhcpMessage.BOOTREPLY)
            .xid(link.client.xid())
            .chaddr(Link.MAC)
            .yiaddr(dev.headend.core.net.Ipv4Address.parse("10.99.0.100"))
            .messageType(dev.headend.dhcp.wire.DhcpMessageType.ofCode(type).orElseThrow())
            .serverIdentifier(Link.SERVER)
            .leaseTime(600)
            .renewalTime(300)
            .rebindingTime(500)
            .routers(List.of(Link.SERVER))
            .build();
    byte[] bytes = reply.encode();
    for (int[] m : mutations) {
      bytes[m[0] % bytes.length] = (byte) m[1];
    }
    link.client.handle(link.clock.instant(), FROM, ByteBuffer.wrap(bytes));
    drain(link);
    // whatever it accepted, the client keeps working through a day of timers
    link.advance(Duration.ofDays(1));
    assertLeaseMatchesState(link.client);
    link.client.lease().ifPresent(l -> assertTrue(l.expires().isAfter(l.acquired())));
  }

  @Provide
  Arbitrary<List<int[]>> mutations() {
    return Arbitraries.integers()
        .between(0, 400)
        .flatMap(i -> Arbitraries.integers().between(0, 255).map(v -> new int[] {i, v}))
        .list()
        .ofMaxSize(8);
  }

  private static void drain(Link link) {
    Transmit t;
    while ((t = link.client.pollTransmit()) != null) {
      assertTrue(t.payload().remaining() >= 300);
    }
    int events = 0;
    while (link.client.pollEvent() != null) {
      events++;
    }
    assertTrue(events <= 256, "events are capped");
  }

  /** A lease is held exactly in BOUND, RENEWING and REBINDING. */
  private static void assertLeaseMatchesState(DhcpClient c) {
    boolean holds =
        switch (c.state()) {
          case BOUND, RENEWING, REBINDING -> true;
          default -> false;
        };
    assertTrue(holds == c.lease().isPresent(), c.state() + " with lease " + c.lease());
  }
}
