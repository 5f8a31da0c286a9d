package dev.headend.benchmarks.dhcp;

import dev.headend.core.net.IpPrefix;
import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import dev.headend.dhcp.server.DhcpServer;
import dev.headend.dhcp.server.OptionSet;
import dev.headend.dhcp.server.Subnet;
import dev.headend.dhcp.wire.DhcpMessage;
import dev.headend.dhcp.wire.DhcpMessageType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The DHCP server engine ({@code dev.headend.dhcp.server.DhcpServer}, in-memory store) on a /16:
 *
 * <ul>
 *   <li>{@code discoverOffer}: one DISCOVER in, the OFFER written to a buffer (a client repeating
 *       its DISCOVER: the offer is refreshed);
 *   <li>{@code dora}: DISCOVER → OFFER, REQUEST → ACK, RELEASE for one of 4,096 clients in turn (a
 *       full lease cycle, store writes included).
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DhcpServerBenchmark {
  private static final Ipv4Address SERVER = Ipv4Address.parse("10.99.0.1");
  private static final InetSocketAddress FROM = new InetSocketAddress("0.0.0.0", 68);
  private static final int CLIENTS = 4096;

  private DhcpServer server;
  private final ByteBuffer out = ByteBuffer.allocate(65_535);
  private ByteBuffer discover;
  private ByteBuffer[] discovers;
  private Instant now = Instant.parse("2030-01-01T00:00:00Z");
  private int next;

  /** Builds the server and the client datagrams. */
  @Setup
  public void setup() throws IOException {
    server =
        DhcpServer.builder(SERVER)
            .subnet(
                Subnet.builder(IpPrefix.parse("10.99.0.0/16"))
                    .pool(Ipv4Address.parse("10.99.1.0"), Ipv4Address.parse("10.99.250.255"))
                    .options(
                        OptionSet.builder()
                            .routers(List.of(SERVER))
                            .domainNameServers(List.of(SERVER))
                            .domainName("example.test")
                            .build())
                    .build())
            .maxOffers(100_000)
            .build();
    discover = ByteBuffer.wrap(discover(MacAddress.parse("02:00:00:00:00:01")).encode());
    discovers = new ByteBuffer[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
      discovers[i] = ByteBuffer.wrap(discover(new MacAddress(0x0200_0000_0000L + i)).encode());
    }
  }

  private static DhcpMessage discover(MacAddress mac) {
    return DhcpMessage.builder()
        .xid(mac.hashCode())
        .chaddr(mac)
        .messageType(DhcpMessageType.DISCOVER)
        .parameterRequestList(List.of(1, 3, 6, 15, 51, 54, 58, 59))
        .build();
  }

  /** DISCOVER in, OFFER out. */
  @Benchmark
  public InetSocketAddress discoverOffer() {
    server.handle(now, FROM, discover.duplicate());
    InetSocketAddress to = server.pollTransmit(out.clear());
    while (server.pollEvent() != null) {
      // drain
    }
    return to;
  }

  /**
   * A full lease cycle for the next client. Warmed up longer: on a busy 2-core machine C2 compiles
   * this path late, and the first offer deadlines (30 s of benchmark time in) deoptimise it once.
   */
  @Benchmark
  @Warmup(iterations = 10, time = 1)
  public int dora() {
    int i = next++ & (CLIENTS - 1);
    now = now.plusMillis(1);
    server.handle(now, FROM, discovers[i].duplicate());
    server.pollTransmit(out.clear());
    out.flip();
    Ipv4Address a = new Ipv4Address(out.getInt(16));
    MacAddress mac = new MacAddress(0x0200_0000_0000L + i);
    byte[] request =
        DhcpMessage.builder()
            .xid(i)
            .chaddr(mac)
            .messageType(DhcpMessageType.REQUEST)
            .requestedAddress(a)
            .serverIdentifier(SERVER)
            .build()
            .encode();
    server.handle(now, FROM, ByteBuffer.wrap(request));
    server.pollTransmit(out.clear());
    byte[] release =
        DhcpMessage.builder()
            .xid(i)
            .chaddr(mac)
            .messageType(DhcpMessageType.RELEASE)
            .ciaddr(a)
            .serverIdentifier(SERVER)
            .build()
            .encode();
    server.handle(now, FROM, ByteBuffer.wrap(release));
    int events = 0;
    while (server.pollEvent() != null) {
      events++;
    }
    return events;
  }
}
