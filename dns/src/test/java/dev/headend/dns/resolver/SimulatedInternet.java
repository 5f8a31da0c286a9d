package dev.headend.dns.resolver;

import dev.headend.core.Transmit;
import dev.headend.dns.server.AuthoritativeDatagramEngine;
import dev.headend.dns.server.AuthoritativeServer;
import dev.headend.dns.server.AuthoritativeStreamEngine;
import dev.headend.dns.server.Zone;
import dev.headend.dns.server.ZoneSet;
import dev.headend.dns.wire.DnsTcpFramer;
import dev.headend.testkit.ManualClock;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.xbill.DNS.Name;

/**
 * A small DNS tree of our own authoritative engines, reachable by address, that a resolver engine
 * talks to without sockets: root, test., example.test. (two servers), org., other.test. Packets are
 * delivered instantly unless dropped; when nothing moves, the clock jumps to the resolver's next
 * deadline. Everything is deterministic.
 */
final class SimulatedInternet {
  static final InetSocketAddress RESOLVER = new InetSocketAddress("198.51.100.53", 3333);
  static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 4444);
  static final InetSocketAddress ROOT = at("192.0.2.1");
  static final InetSocketAddress TLD = at("192.0.2.2");
  static final InetSocketAddress EXAMPLE1 = at("192.0.2.3");
  static final InetSocketAddress EXAMPLE2 = at("192.0.2.4");
  static final InetSocketAddress ORG = at("192.0.2.5");
  static final InetSocketAddress OTHER = at("192.0.2.6");

  static final String ROOT_ZONE =
      """
      $ORIGIN .
      $TTL 86400
      @ SOA a.root-servers.test. hostmaster.root. 1 1800 900 604800 3600
      @ NS a.root-servers.test.
      a.root-servers.test. A 192.0.2.1
      test. NS ns.nic.test.
      ns.nic.test. A 192.0.2.2
      org. NS ns.org-servers.test.
      ns.org-servers.test. A 192.0.2.5
      """;
  static final String TEST_ZONE =
      """
      $ORIGIN test.
      $TTL 86400
      @ SOA ns.nic hostmaster.nic 1 1800 900 604800 3600
      @ NS ns.nic
      ns.nic A 192.0.2.2
      ns.org-servers A 192.0.2.5
      example NS ns1.example
      example NS ns2.example
      ns1.example A 192.0.2.3
      ns2.example A 192.0.2.4
      other NS ns.elsewhere.org.
      """;
  static final String EXAMPLE_ZONE =
      """
      $ORIGIN example.test.
      $TTL 300
      @ SOA ns1 hostmaster 2026112501 1800 900 604800 60
      @ NS ns1
      @ NS ns2
      ns1 A 192.0.2.3
      ns2 A 192.0.2.4
      www A 192.0.2.80
      www AAAA 2001:db8::80
      alias CNAME www
      cross CNAME www.other.test.
      mx MX 10 www
      big TXT "%s" "%s" "%s" "%s" "%s" "%s"
      """
          .formatted(
              "a".repeat(250),
              "b".repeat(250),
              "c".repeat(250),
              "d".repeat(250),
              "e".repeat(250),
              "f".repeat(250));
  static final String ORG_ZONE =
      """
      $ORIGIN org.
      $TTL 86400
      @ SOA ns.org-servers.test. hostmaster 1 1800 900 604800 3600
      @ NS ns.org-servers.test.
      elsewhere NS ns.elsewhere
      ns.elsewhere A 192.0.2.6
      """;
  static final String OTHER_ZONE =
      """
      $ORIGIN other.test.
      $TTL 600
      @ SOA ns.elsewhere.org. hostmaster 5 1800 900 604800 120
      @ NS ns.elsewhere.org.
      www A 192.0.2.90
      """;

  final ManualClock clock = ManualClock.at("2026-01-01T00:00:00Z");
  final Map<InetSocketAddress, AuthoritativeServer> servers = new HashMap<>();
  final List<byte[]> clientResponses = new ArrayList<>();
  final List<InetSocketAddress> queriesSent = new ArrayList<>();
  final java.util.ArrayDeque<ResolverEvent> events = new java.util.ArrayDeque<>();
  Predicate<InetSocketAddress> drop = a -> false;
  UnaryOperator<byte[]> tamper = b -> b; // rewrites server responses before delivery
  final IterativeResolver resolver;

  SimulatedInternet(IterativeResolver.Builder builder) throws Exception {
    serve(ROOT, zone(ROOT_ZONE, "."));
    serve(TLD, zone(TEST_ZONE, "test."));
    Zone example = zone(EXAMPLE_ZONE, "example.test.");
    serve(EXAMPLE1, example);
    serve(EXAMPLE2, example);
    serve(ORG, zone(ORG_ZONE, "org."));
    serve(OTHER, zone(OTHER_ZONE, "other.test."));
    this.resolver = builder.build();
  }

  static IterativeResolver.Builder defaults() {
    // priming off: these tests count queries; IterativeResolverTest checks priming on its own
    return IterativeResolver.builder(RootHints.of(ROOT))
        .random(new java.util.Random(42))
        .primeRoot(false);
  }

  static InetSocketAddress at(String ip) {
    return new InetSocketAddress(ip, 53);
  }

  static Zone zone(String text, String origin) throws Exception {
    return Zone.fromText(Name.fromString(origin), text);
  }

  void serve(InetSocketAddress at, Zone zone) {
    servers.put(at, AuthoritativeServer.builder().zones(ZoneSet.of(zone)).build());
  }

  Instant now() {
    return clock.instant();
  }

  /** Moves packets until the resolver waits for nothing, jumping the clock to deadlines. */
  void run() {
    for (int steps = 0; steps < 100_000; steps++) {
      boolean moved = false;
      Transmit t;
      while ((t = resolver.pollTransmit()) != null) {
        moved = true;
        byte[] bytes = bytes(t.payload());
        if ((bytes[2] & 0x80) != 0) {
          clientResponses.add(bytes);
        } else {
          deliverUdp(t.destination(), bytes);
        }
      }
      ResolverEvent e;
      while ((e = resolver.pollEvent()) != null) {
        if (e instanceof ResolverEvent.TcpQuery tcp) {
          moved = true;
          deliverTcp(tcp.server(), tcp.query());
        } else {
          events.add(e);
        }
      }
      if (!moved) {
        Instant next = resolver.pollTimeout();
        if (next == null) {
          return;
        }
        clock.set(next.isAfter(now()) ? next : now());
        resolver.handleTimeout(now());
      }
    }
    throw new AssertionError("the resolver never settled");
  }

  private void deliverUdp(InetSocketAddress to, byte[] query) {
    queriesSent.add(to);
    AuthoritativeServer server = servers.get(to);
    if (server == null || drop.test(to)) {
      return;
    }
    AuthoritativeDatagramEngine engine = server.newDatagramEngine();
    engine.handle(now(), RESOLVER, ByteBuffer.wrap(query));
    Transmit response = engine.pollTransmit();
    if (response != null) {
      resolver.handle(now(), to, ByteBuffer.wrap(tamper.apply(bytes(response.payload()))));
    }
  }

  private void deliverTcp(InetSocketAddress to, byte[] query) {
    queriesSent.add(to);
    AuthoritativeServer server = servers.get(to);
    if (server == null || drop.test(to)) {
      return;
    }
    AuthoritativeStreamEngine engine = server.newStreamEngine(RESOLVER);
    engine.receive(now(), DnsTcpFramer.framed(query));
    ByteBuffer framed = engine.pollOutput();
    try {
      ByteBuffer message = new DnsTcpFramer().next(framed);
      resolver.handle(now(), to, ByteBuffer.wrap(tamper.apply(bytes(message))));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
