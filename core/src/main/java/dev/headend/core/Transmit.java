package dev.headend.core;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A datagram an engine wants sent.
 *
 * @param destination where to send it
 * @param payload the datagram, from its position to its limit; the adapter reads it without keeping
 *     it
 */
public record Transmit(InetSocketAddress destination, ByteBuffer payload) {
  /** Checks that neither part is null. */
  public Transmit {
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(payload, "payload");
  }
}
