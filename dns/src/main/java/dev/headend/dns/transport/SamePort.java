package dev.headend.dns.transport;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;

/**
 * Binds a DNS service's UDP and TCP sides to one port. With port 0 the UDP side takes a free port
 * first and TCP follows it; if that TCP port is taken, the whole attempt is retried on another.
 */
final class SamePort {
  private static final int ATTEMPTS_FOR_ANY_PORT = 20;

  /** One attempt: bind both sides at the address, or release what was bound and throw. */
  @FunctionalInterface
  interface Attempt<T> {
    T bind(InetSocketAddress address) throws IOException;
  }

  private SamePort() {}

  static <T> T bind(InetSocketAddress address, Attempt<T> attempt) throws IOException {
    BindException last = null;
    for (int i = 0; i < (address.getPort() == 0 ? ATTEMPTS_FOR_ANY_PORT : 1); i++) {
      try {
        return attempt.bind(address);
      } catch (BindException e) {
        last = e;
      }
    }
    throw last;
  }
}
