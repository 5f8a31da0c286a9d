package dev.headend.core.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
