package dev.headend.benchmarks.dhcp;

import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import dev.headend.dhcp.wire.ClasslessRoute;
import dev.headend.dhcp.wire.ClientId;
import dev.headend.dhcp.wire.DhcpCodec;
import dev.headend.dhcp.wire.DhcpMessage;
import dev.headend.dhcp.wire.DhcpMessageType;
import dev.headend.dhcp.wire.DhcpOption;
import dev.headend.dhcp.wire.MalformedDhcpMessageException;
import dev.headend.dhcp.wire.RelayAgentInfo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The DHCPv4 codec on a typical relayed DISCOVER (client identifier, parameter request list, host
 * name, vendor class, relay agent information) and the ACK a server sends back (lease times, mask,
 * routers, DNS, domain, NTP, classless routes, option 82 echoed):
 *
 * <ul>
 *   <li>{@code decode}: datagram bytes to a message (structure checked, options indexed);
 *   <li>{@code decodeAndRead}: decode, then read what a server reads (type, client id, requested
 *       address, parameter request list, relay agent information);
 *   <li>{@code encode}: a decoded message into a caller's buffer;
 *   <li>{@code build}: lay out the message anew from typed values, as a server builds a reply.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DhcpCodecBenchmark {
  private static final MacAddress MAC = MacAddress.parse("00:0c:29:1f:74:06");
  private static final Ipv4Address SERVER = Ipv4Address.parse("192.0.2.1");
  private static final Ipv4Address RELAY = Ipv4Address.parse("10.20.0.1");
  private static final RelayAgentInfo RELAY_INFO =
      RelayAgentInfo.builder()
          .circuitId("ge-0/0/1.100".getBytes(StandardCharsets.US_ASCII))
          .remoteId(MAC.toBytes())
          .build();

  /** Which message: the client's DISCOVER or the server's ACK. */
  @Param({"DISCOVER", "ACK"})
  public String message;

  private byte[] wire;
  private DhcpMessage decoded;
  private final ByteBuffer out = ByteBuffer.allocateDirect(1500);

  /** Builds the message and checks that it decodes back to itself. */
  @Setup
  public void setUp() throws Exception {
    wire = build().encode();
    decoded = DhcpCodec.decode(wire);
    if (!decoded.equals(build()) || decoded.messageType().isEmpty()) {
      throw new IllegalStateException("the " + message + " does not round-trip");
    }
  }

  /** Decode: bytes to message. */
  @Benchmark
  public DhcpMessage decode() throws MalformedDhcpMessageException {
    return DhcpCodec.decode(ByteBuffer.wrap(wire));
  }

  /** Decode and read the options a server looks at. */
  @Benchmark
  public Object decodeAndRead() throws MalformedDhcpMessageException {
    DhcpMessage m = DhcpCodec.decode(ByteBuffer.wrap(wire));
    Object[] read = {
      m.messageType().orElse(null),
      m.clientId().orElse(null),
      m.requestedAddress().orElse(null),
      m.parameterRequestList().orElse(null),
      m.relayAgentInfo().orElse(null),
      m.leaseTime().orElse(null)
    };
    return read;
  }

  /** Encode a decoded message into a caller's buffer. */
  @Benchmark
  public ByteBuffer encode() {
    out.clear();
    DhcpCodec.encode(decoded, out);
    return out;
  }

  /** Build the message from typed values and lay it out. */
  @Benchmark
  public DhcpMessage build() {
    DhcpMessage.Builder b =
        DhcpMessage.builder()
            .xid(0x3903f326)
            .chaddr(MAC)
            .hops(1)
            .giaddr(RELAY)
            .clientId(ClientId.ofMac(MAC));
    if (message.equals("DISCOVER")) {
      b.messageType(DhcpMessageType.DISCOVER)
          .requestedAddress(Ipv4Address.parse("10.20.0.57"))
          .parameterRequestList(List.of(1, 3, 6, 15, 26, 28, 42, 51, 58, 59, 119, 121))
          .set(DhcpOption.MAX_DHCP_MESSAGE_SIZE, 1500)
          .hostName("laptop-57")
          .set(DhcpOption.VENDOR_CLASS_IDENTIFIER, "MSFT 5.0");
    } else {
      b.op(DhcpMessage.BOOTREPLY)
          .messageType(DhcpMessageType.ACK)
          .yiaddr(Ipv4Address.parse("10.20.0.57"))
          .serverIdentifier(SERVER)
          .leaseTime(86_400)
          .renewalTime(43_200)
          .rebindingTime(75_600)
          .subnetMask(Ipv4Address.parse("255.255.255.0"))
          .routers(List.of(RELAY))
          .domainNameServers(List.of(SERVER, Ipv4Address.parse("192.0.2.2")))
          .domainName("customers.example.net")
          .set(DhcpOption.NTP_SERVERS, List.of(SERVER))
          .set(DhcpOption.INTERFACE_MTU, 1500)
          .classlessRoutes(
              List.of(
                  ClasslessRoute.of("0.0.0.0/0", "10.20.0.1"),
                  ClasslessRoute.of("172.16.0.0/12", "10.20.0.254")));
    }
    return b.relayAgentInfo(RELAY_INFO).build();
  }
}
