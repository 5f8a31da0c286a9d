package dev.headend.core.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.DatagramEngine;
import dev.headend.core.Transmit;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The UDP adapter over real loopback sockets, with a toy echo engine. */
class DatagramEndpointTest {
  private static final InetSocketAddress ANY_LOOPBACK =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  private final EchoDatagramEngine engine = new EchoDatagramEngine();
  private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
  private DatagramEndpoint<String> endpoint;
  private DatagramSocket client;

  @BeforeEach
  void start() throws Exception {
    endpoint =
        DatagramEndpoint.builder(engine)
            .bind(ANY_LOOPBACK)
            .onEvent(
                e -> {
                  if (e.equals("received 13")) {
                    throw new IllegalStateException("listener bug");
                  }
                  events.add(e);
                })
            .daemon(true)
            .start();
    client = new DatagramSocket(ANY_LOOPBACK);
    client.setSoTimeout(10_000);
  }

  @AfterEach
  void stop() {
    endpoint.close();
    client.close();
  }

  private void send(byte[] payload) throws Exception {
    client.send(new DatagramPacket(payload, payload.length, endpoint.localAddress()));
  }

  private byte[] receive() throws Exception {
    DatagramPacket p = new DatagramPacket(new byte[65_536], 65_536);
    client.receive(p);
    assertEquals(
        endpoint.localAddress(), p.getSocketAddress(), "the reply comes from the endpoint");
    return Arrays.copyOf(p.getData(), p.getLength());
  }

  @Test
  void echoesEveryDatagramAndReportsIt() throws Exception {
    Set<String> sent = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      String s = "datagram " + i;
      sent.add(s);
      send(s.getBytes(StandardCharsets.US_ASCII));
      if (i % 20 == 19) {
        for (int k = 0; k < 20; k++) {
          assertTrue(sent.remove(new String(receive(), StandardCharsets.US_ASCII)));
        }
      }
    }
    assertTrue(sent.isEmpty());
    assertEquals("received 10", events.poll(5, TimeUnit.SECONDS));
  }

  @Test
  void carriesTheLargestUdpPayloadIntact() throws Exception {
    byte[] big = new byte[65_507]; // the IPv4 UDP maximum
    new Random(7).nextBytes(big);
    send(big);
    assertArrayEquals(big, receive());
    byte[] empty = new byte[0];
    send(empty);
    assertArrayEquals(empty, receive());
  }

  @Test
  void firesTheEngineDeadline() throws Exception {
    Instant at = Instant.now().plusMillis(150);
    endpoint.execute(() -> engine.tickAt(at)).get(5, TimeUnit.SECONDS);
    String tick = events.poll(5, TimeUnit.SECONDS);
    assertTrue(tick != null && tick.startsWith("tick late by "), String.valueOf(tick));
    long late = Long.parseLong(tick.replaceAll("\\D", ""));
    assertTrue(late >= 0 && late < 2_000, "fired " + late + " ms after the deadline");
    assertTrue(Instant.now().isAfter(at), "not before the deadline");
  }

  @Test
  void survivesEngineAndListenerFailures() throws Exception {
    send("boom".getBytes(StandardCharsets.US_ASCII)); // the engine throws
    send("13 bytes long".getBytes(StandardCharsets.US_ASCII)); // the listener throws
    send("still here".getBytes(StandardCharsets.US_ASCII));
    assertEquals("13 bytes long", new String(receive(), StandardCharsets.US_ASCII));
    assertEquals("still here", new String(receive(), StandardCharsets.US_ASCII));
    assertEquals("received 10", events.poll(5, TimeUnit.SECONDS));
  }

  @Test
  void executeReportsTaskFailures() {
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () ->
                endpoint
                    .execute(
                        () -> {
                          throw new IllegalArgumentException("bad task");
                        })
                    .get(5, TimeUnit.SECONDS));
    assertEquals("bad task", e.getCause().getMessage());
  }

  /** Forwards what a client sends to an upstream server, and reports the upstream's replies. */
  private static final class RelayEngine implements DatagramEngine<String> {
    private final InetSocketAddress upstream;
    private final java.util.ArrayDeque<Transmit> out = new java.util.ArrayDeque<>();
    private final java.util.ArrayDeque<String> events = new java.util.ArrayDeque<>();

    RelayEngine(InetSocketAddress upstream) {
      this.upstream = upstream;
    }

    @Override
    public void handle(Instant now, InetSocketAddress from, ByteBuffer datagram) {
      String text = StandardCharsets.US_ASCII.decode(datagram).toString();
      if (from.equals(upstream)) {
        events.add("reply " + text);
      } else {
        out.add(new Transmit(upstream, ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII))));
      }
    }

    @Override
    public Transmit pollTransmit() {
      return out.poll();
    }

    @Override
    public Instant pollTimeout() {
      return null;
    }

    @Override
    public void handleTimeout(Instant now) {}

    @Override
    public String pollEvent() {
      return events.poll();
    }
  }

  @Test
  void freshSourcePortsCarryQueriesAndOnlyTheirDestinationCanReply() throws Exception {
    try (DatagramSocket upstream = new DatagramSocket(ANY_LOOPBACK);
        DatagramSocket intruder = new DatagramSocket(ANY_LOOPBACK)) {
      upstream.setSoTimeout(10_000);
      InetSocketAddress upstreamAt = (InetSocketAddress) upstream.getLocalSocketAddress();
      BlockingQueue<String> relayed = new LinkedBlockingQueue<>();
      try (DatagramEndpoint<String> relay =
          DatagramEndpoint.builder(new RelayEngine(upstreamAt))
              .bind(ANY_LOOPBACK)
              .onEvent(relayed::add)
              .freshSourcePorts((to, d) -> to.equals(upstreamAt), Duration.ofSeconds(5), 16)
              .daemon(true)
              .start()) {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 5; i++) {
          byte[] ask = ("q" + i).getBytes(StandardCharsets.US_ASCII);
          client.send(new DatagramPacket(ask, ask.length, relay.localAddress()));
          DatagramPacket p = new DatagramPacket(new byte[100], 100);
          upstream.receive(p);
          assertEquals(
              "q" + i, new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
          assertTrue(p.getPort() != relay.localAddress().getPort(), "not from the bound port");
          ports.add(p.getPort());
          // someone else aims at the fresh port first: the connected socket drops it
          byte[] forged = "forged".getBytes(StandardCharsets.US_ASCII);
          intruder.send(new DatagramPacket(forged, forged.length, p.getSocketAddress()));
          byte[] answer = ("a" + i).getBytes(StandardCharsets.US_ASCII);
          upstream.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
          assertEquals("reply a" + i, relayed.poll(5, TimeUnit.SECONDS));
        }
        assertEquals(5, ports.size(), "a new port for every query: " + ports);
        assertNull(relayed.poll(200, TimeUnit.MILLISECONDS), "the forged datagram never arrived");
      }
    }
  }

  @Test
  void aDestinationTheSocketCannotReachCostsOnlyThatDatagram() throws Exception {
    // an engine that first answers to an IPv6 address (impossible from this IPv4 socket), then
    // echoes to the real sender
    DatagramEngine<String> engine =
        new DatagramEngine<>() {
          private final java.util.ArrayDeque<Transmit> out = new java.util.ArrayDeque<>();

          @Override
          public void handle(Instant now, InetSocketAddress from, ByteBuffer datagram) {
            ByteBuffer copy = ByteBuffer.allocate(datagram.remaining()).put(datagram).flip();
            out.add(new Transmit(new InetSocketAddress("::1", 53), copy.duplicate()));
            out.add(new Transmit(from, copy));
          }

          @Override
          public Transmit pollTransmit() {
            return out.poll();
          }

          @Override
          public Instant pollTimeout() {
            return null;
          }

          @Override
          public void handleTimeout(Instant now) {}

          @Override
          public String pollEvent() {
            return null;
          }
        };
    try (DatagramEndpoint<String> e =
        DatagramEndpoint.builder(engine)
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .daemon(true)
            .start()) {
      for (int i = 0; i < 3; i++) {
        byte[] ask = ("try " + i).getBytes(StandardCharsets.US_ASCII);
        client.send(new DatagramPacket(ask, ask.length, e.localAddress()));
        DatagramPacket p = new DatagramPacket(new byte[100], 100);
        client.receive(p);
        assertEquals(
            "try " + i, new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
      }
    }
  }

  @Test
  void closeReleasesThePortAndRefusesWork() throws Exception {
    InetSocketAddress bound = endpoint.localAddress();
    long start = System.nanoTime();
    endpoint.close();
    endpoint.close(); // idempotent
    assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 5_000);
    try (DatagramSocket again = new DatagramSocket(bound)) {
      assertEquals(bound.getPort(), again.getLocalPort());
    }
    assertThrows(ExecutionException.class, () -> endpoint.execute(() -> {}).get());
  }
}
