package dev.headend.dhcp.client;

import dev.headend.core.Transmit;
import dev.headend.core.net.IpPrefix;
import dev.headend.core.net.Ipv4Address;
import dev.headend.core.net.MacAddress;
import dev.headend.dhcp.server.DhcpServer;
import dev.headend.dhcp.server.DhcpServerEvent;
import dev.headend.dhcp.server.OptionSet;
import dev.headend.dhcp.server.Subnet;
import dev.headend.dhcp.wire.DhcpCodec;
import dev.headend.dhcp.wire.DhcpMessage;
import dev.headend.dhcp.wire.DhcpMessageType;
import dev.headend.dhcp.wire.MalformedDhcpMessageException;
import dev.headend.testkit.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** A client engine wired to a server engine through a lossy "link", both on one manual clock. */
final class Link {
  static final Ipv4Address SERVER = Ipv4Address.parse("10.99.0.1");
  static final MacAddress MAC = MacAddress.parse("02:00:00:00:00:01");

  final ManualClock clock = ManualClock.at("2030-01-01T00:00:00Z");
  final DhcpClient client;
  final DhcpServer server;

  /** Everything the client sent, with where and when. */
  final List<Sent> sent = new ArrayList<>();

  final List<DhcpClientEvent> events = new ArrayList<>();
  final List<DhcpServerEvent> serverEvents = new ArrayList<>();

  /** When false, the client's datagrams are lost (the server is down or unreachable). */
  boolean serverUp = true;

  record Sent(Instant at, InetSocketAddress to, DhcpMessage message) {
    DhcpMessageType type() {
      try {
        return message.messageType().orElseThrow();
      } catch (MalformedDhcpMessageException e) {
        throw new AssertionError(e);
      }
    }
  }

  Link(DhcpClient.Builder client, DhcpServer server) {
    this.client = client.random(new SplittableRandom(42)).build();
    this.server = server;
  }

  static Link of(DhcpClient.Builder client) {
    return new Link(client, server(Duration.ofHours(1)));
  }

  static Link standard() {
    return of(DhcpClient.builder(MAC));
  }

  static DhcpServer server(Duration lease) {
    try {
      return DhcpServer.builder(SERVER)
          .subnet(
              Subnet.builder(IpPrefix.parse("10.99.0.0/24"))
                  .pool(Ipv4Address.parse("10.99.0.100"), Ipv4Address.parse("10.99.0.109"))
                  .leaseTime(lease)
                  .options(
                      OptionSet.builder()
                          .routers(List.of(SERVER))
                          .domainNameServers(List.of(Ipv4Address.parse("10.99.0.53")))
                          .domainName("example.test")
                          .tftpServerName("tftp.example.test")
                          .bootfileName("pxelinux.0")
                          .build())
                  .build())
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Moves datagrams both ways until both engines are quiet. */
  void pump() {
    for (int round = 0; round < 100; round++) {
      boolean moved = false;
      Transmit t;
      while ((t = client.pollTransmit()) != null) {
        moved = true;
        DhcpMessage m = decode(t.payload().duplicate());
        sent.add(new Sent(clock.instant(), t.destination(), m));
        if (serverUp) {
          InetSocketAddress from = new InetSocketAddress(m.ciaddr().toInetAddress(), 68);
          server.handle(clock.instant(), from, t.payload().duplicate());
        }
      }
      while ((t = server.pollTransmit()) != null) {
        moved = true;
        client.handle(clock.instant(), t.destination(), t.payload());
      }
      DhcpClientEvent e;
      while ((e = client.pollEvent()) != null) {
        events.add(e);
      }
      DhcpServerEvent se;
      while ((se = server.pollEvent()) != null) {
        serverEvents.add(se);
      }
      if (!moved) {
        return;
      }
    }
    throw new AssertionError("the engines never went quiet");
  }

  void start() {
    client.start(clock.instant());
    pump();
  }

  /** Advances the clock by {@code d}, firing both engines' timers on time. */
  void advance(Duration d) {
    Instant end = clock.instant().plus(d);
    while (true) {
      Instant next = earliest(client.pollTimeout(), server.pollTimeout());
      if (next == null || next.isAfter(end)) {
        break;
      }
      if (next.isAfter(clock.instant())) {
        clock.set(next);
      }
      if (client.pollTimeout() != null && !client.pollTimeout().isAfter(clock.instant())) {
        client.handleTimeout(clock.instant());
      }
      if (server.pollTimeout() != null && !server.pollTimeout().isAfter(clock.instant())) {
        server.handleTimeout(clock.instant());
      }
      pump();
    }
    clock.set(end);
    pump();
  }

  /** Advances to the client's next timer, fires it and pumps. */
  Instant fire() {
    Instant t = client.pollTimeout();
    clock.set(t);
    client.handleTimeout(t);
    pump();
    return t;
  }

  /** Delivers a hand-made reply to the client. */
  void deliver(DhcpMessage reply) {
    client.handle(
        clock.instant(), new InetSocketAddress("10.99.0.1", 67), ByteBuffer.wrap(reply.encode()));
    pump();
  }

  Sent last() {
    return sent.get(sent.size() - 1);
  }

  <T extends DhcpClientEvent> List<T> events(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (DhcpClientEvent e : events) {
      if (type.isInstance(e)) {
        out.add(type.cast(e));
      }
    }
    return out;
  }

  <T extends DhcpServerEvent> List<T> serverEvents(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (DhcpServerEvent e : serverEvents) {
      if (type.isInstance(e)) {
        out.add(type.cast(e));
      }
    }
    return out;
  }

  private static Instant earliest(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isBefore(b) ? a : b;
  }

  static DhcpMessage decode(ByteBuffer b) {
    try {
      return DhcpCodec.decode(b);
    } catch (MalformedDhcpMessageException e) {
      throw new AssertionError("the client sent something it cannot decode", e);
    }
  }
}
