package dev.headend.core.transport;

import java.net.InetSocketAddress;

/** A listening socket of a {@link StreamTransport}. Closing it leaves accepted connections open. */
public interface StreamListener extends AutoCloseable {

  /** The bound address (with the real port when port 0 was asked for). */
  InetSocketAddress localAddress();

  /** Stops accepting connections. Idempotent. */
  @Override
  void close();
}
