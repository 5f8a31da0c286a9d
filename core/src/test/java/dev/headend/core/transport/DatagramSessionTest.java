package dev.headend.core.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.headend.core.DatagramEngine;
import dev.headend.core.Transmit;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Sessions: an engine per exchange, on a fresh port, closed when the engine is done. */
class DatagramSessionTest {
  private static final InetSocketAddress ANY_LOOPBACK =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  /** Greets its peer, repeats the greeting until the peer says "bye", then has nothing to do. */
  static final class Greeter implements DatagramEngine<String> {
    private final InetSocketAddress peer;
    private final ArrayDeque<Transmit> out = new ArrayDeque<>();
    private final ArrayDeque<String> events = new ArrayDeque<>();
    private Instant resendAt;

    Greeter(InetSocketAddress peer, Instant now) {
      this.peer = peer;
      greet(now);
    }

    private void greet(Instant now) {
      out.add(new Transmit(peer, ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII))));
      resendAt = now.plusMillis(200);
    }

    @Override
    public void handle(Instant now, InetSocketAddress from, ByteBuffer datagram) {
      String text = StandardCharsets.US_ASCII.decode(datagram).toString();
      if (!from.equals(peer)) {
        out.add(new Transmit(from, ByteBuffer.wrap("not you".getBytes(StandardCharsets.US_ASCII))));
      } else if (text.equals("bye")) {
        resendAt = null;
        events.add("done");
      }
    }

    @Override
    public Transmit pollTransmit() {
      return out.poll();
    }

    @Override
    public Instant pollTimeout() {
      return resendAt;
    }

    @Override
    public void handleTimeout(Instant now) {
      if (resendAt != null && !now.isBefore(resendAt)) {
        greet(now);
      }
    }

    @Override
    public String pollEvent() {
      return events.poll();
    }
  }

  private static String receive(DatagramSocket s, InetSocketAddress[] from) throws Exception {
    DatagramPacket p = new DatagramPacket(new byte[100], 100);
    s.receive(p);
    from[0] = (InetSocketAddress) p.getSocketAddress();
    return new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
  }

  private static void send(DatagramSocket s, String text, InetSocketAddress to) throws Exception {
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    s.send(new DatagramPacket(b, b.length, to));
  }

  @Test
  void aSessionRunsOnItsOwnPortAnswersStrangersAndClosesWhenItsEngineIsDone() throws Exception {
    BlockingQueue<String> sessionEvents = new LinkedBlockingQueue<>();
    EchoDatagramEngine listenerEngine = new EchoDatagramEngine();
    var holder = new java.util.concurrent.atomic.AtomicReference<DatagramEndpoint<String>>();
    BlockingQueue<InetSocketAddress> sessionPorts = new LinkedBlockingQueue<>();
    try (DatagramSocket client = new DatagramSocket(ANY_LOOPBACK);
        DatagramSocket stranger = new DatagramSocket(ANY_LOOPBACK)) {
      client.setSoTimeout(5_000);
      stranger.setSoTimeout(5_000);
      InetSocketAddress clientAddress = (InetSocketAddress) client.getLocalSocketAddress();
      holder.set(
          DatagramEndpoint.builder(listenerEngine)
              .bind(ANY_LOOPBACK)
              .daemon(true)
              .onEvent(
                  e -> {
                    try {
                      sessionPorts.add(
                          holder
                              .get()
                              .openSession(
                                  new Greeter(clientAddress, Instant.now()), sessionEvents::add));
                    } catch (java.io.IOException ex) {
                      throw new java.io.UncheckedIOException(ex);
                    }
                  })
              .start());
      try (DatagramEndpoint<String> endpoint = holder.get()) {
        send(client, "start", endpoint.localAddress());
        InetSocketAddress[] from = new InetSocketAddress[1];
        assertEquals("start", receive(client, from), "the listening engine echoes");
        assertEquals(endpoint.localAddress(), from[0]);
        InetSocketAddress session = sessionPorts.poll(5, TimeUnit.SECONDS);
        assertEquals(1, endpoint.openSessions());

        assertEquals("hello", receive(client, from));
        assertEquals(session, from[0], "the session speaks from its own port");
        assertNotEquals(endpoint.localAddress().getPort(), session.getPort());
        assertEquals("hello", receive(client, from), "and retransmits on its deadline");

        send(stranger, "hi", session);
        assertEquals("not you", receive(stranger, from), "a stranger is answered by the engine");

        send(client, "bye", session);
        assertEquals("done", sessionEvents.poll(5, TimeUnit.SECONDS));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (endpoint.openSessions() != 0 && System.nanoTime() < until) {
          Thread.sleep(5);
        }
        assertEquals(0, endpoint.openSessions(), "a session with no deadline ends");
      }
    }
  }

  @Test
  void openSessionIsRefusedOffTheEndpointThread() throws Exception {
    try (DatagramEndpoint<String> endpoint =
        DatagramEndpoint.builder(new EchoDatagramEngine())
            .bind(ANY_LOOPBACK)
            .daemon(true)
            .start()) {
      assertThrows(
          IllegalStateException.class,
          () -> endpoint.openSession(new Greeter(ANY_LOOPBACK, Instant.now()), e -> {}));
    }
  }

  @Test
  void theSessionLimitHolds() throws Exception {
    try (DatagramEndpoint<String> endpoint =
        DatagramEndpoint.builder(new EchoDatagramEngine())
            .bind(ANY_LOOPBACK)
            .maxSessions(1)
            .daemon(true)
            .start()) {
      InetSocketAddress nobody = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);
      var second =
          endpoint.execute(
              () -> {
                try {
                  endpoint.openSession(new Greeter(nobody, Instant.now()), e -> {});
                  endpoint.openSession(new Greeter(nobody, Instant.now()), e -> {});
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      var failure =
          assertThrows(
              java.util.concurrent.ExecutionException.class, () -> second.get(5, TimeUnit.SECONDS));
      assertEquals(IllegalStateException.class, failure.getCause().getClass());
      assertEquals(1, endpoint.openSessions());
    }
  }
}
