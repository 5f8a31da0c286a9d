package dev.headend.core.transport;

import dev.headend.core.DatagramEngine;
import dev.headend.core.Transmit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * A toy datagram engine: echoes every datagram to its sender and reports it; a datagram reading
 * "boom" makes it throw (a bug, to check the endpoint survives it); {@link #tickAt} sets a deadline
 * that raises a "tick" event.
 */
final class EchoDatagramEngine implements DatagramEngine<String> {
  private final ArrayDeque<Transmit> transmits = new ArrayDeque<>();
  private final ArrayDeque<String> events = new ArrayDeque<>();
  private Instant tick;

  void tickAt(Instant at) {
    tick = at;
  }

  @Override
  public void handle(Instant now, InetSocketAddress from, ByteBuffer datagram) {
    ByteBuffer copy = ByteBuffer.allocate(datagram.remaining()).put(datagram).flip();
    if (StandardCharsets.US_ASCII.decode(copy.duplicate()).toString().equals("boom")) {
      throw new IllegalStateException("toy engine bug");
    }
    transmits.add(new Transmit(from, copy));
    events.add("received " + copy.remaining());
  }

  @Override
  public Transmit pollTransmit() {
    return transmits.poll();
  }

  @Override
  public Instant pollTimeout() {
    return tick;
  }

  @Override
  public void handleTimeout(Instant now) {
    if (tick != null && !now.isBefore(tick)) {
      events.add("tick late by " + (now.toEpochMilli() - tick.toEpochMilli()) + " ms");
      tick = null;
    }
  }

  @Override
  public String pollEvent() {
    return events.poll();
  }
}
