package dev.headend.core;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * A sans-I/O protocol engine fed with datagrams (DNS, DHCP, TFTP): it never opens a socket, starts
 * a thread, sleeps or reads a clock. The caller hands it each received datagram and the current
 * time, then drains what it wants sent, when it next wants to be woken, and what the application
 * should know.
 *
 * <p>The driving loop, which {@link dev.headend.core.transport.DatagramEndpoint} implements over a
 * {@code DatagramChannel}:
 *
 * <pre>{@code
 * engine.handle(now, from, datagram);        // for each datagram received
 * if (deadline reached) engine.handleTimeout(now);
 * while ((to = engine.pollTransmit(buf)) != null) send(buf, to);
 * while ((e = engine.pollEvent()) != null) deliver(e);
 * sleep until engine.pollTimeout() or the next datagram
 * }</pre>
 *
 * <p>Engines are single-threaded and deterministic: the same calls at the same instants give the
 * same outputs. A peer's malformed datagram never makes a method throw; the engine drops it or
 * answers with a protocol error, and may report it as an event.
 *
 * @param <E> the engine's event type
 */
public interface DatagramEngine<E> {

  /**
   * Takes one received datagram. The engine reads {@code datagram} from its position to its limit
   * before returning and keeps no reference to it.
   */
  void handle(Instant now, InetSocketAddress from, ByteBuffer datagram);

  /** The next datagram to send, or {@code null} when there is none. */
  Transmit pollTransmit();

  /**
   * Writes the next datagram to send into {@code out} (from its position; the adapter gives at
   * least 65,535 bytes of room) and returns its destination, or returns {@code null} and writes
   * nothing when there is none. Hot-path engines override this to encode without allocating.
   */
  default InetSocketAddress pollTransmit(ByteBuffer out) {
    Transmit t = pollTransmit();
    if (t == null) {
      return null;
    }
    out.put(t.payload().duplicate());
    return t.destination();
  }

  /** The earliest instant at which {@link #handleTimeout} must be called, or {@code null}. */
  Instant pollTimeout();

  /** Acts on every deadline at or before {@code now} (retransmit, expire, give up). */
  void handleTimeout(Instant now);

  /** The next event for the application, or {@code null} when there is none. */
  E pollEvent();

  /**
   * The adapter is closing: give up what is in progress, queue what peers should be told and report
   * the end as events. The adapter then sends and delivers what was queued once, and closes. By
   * default nothing happens.
   */
  default void shutdown(Instant now) {}
}
