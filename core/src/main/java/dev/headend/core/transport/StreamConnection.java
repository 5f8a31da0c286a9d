package dev.headend.core.transport;

import java.net.InetSocketAddress;

/**
 * One TCP connection driven by a {@link StreamTransport}, as its handler sees it.
 *
 * @param <S> the engine type
 */
public interface StreamConnection<S> {

  /** A number unique among this transport's connections. */
  long id();

  /**
   * The connection's engine. Touch it only on the connection's thread (in handler callbacks or
   * tasks given to {@link #execute}); null while {@link StreamHandler#open} runs.
   */
  S engine();

  /** The peer's address. */
  InetSocketAddress remoteAddress();

  /** This side's address. */
  InetSocketAddress localAddress();

  /** Whether the connection is still open. */
  boolean isOpen();

  /**
   * Runs {@code task} on the connection's thread (where it may call the engine), then writes the
   * engine's output and delivers its events. Safe from any thread; a task for a closed connection
   * is dropped. Throwing closes the connection.
   */
  void execute(Runnable task);

  /**
   * Stops reading, writes what the engine has already produced, then closes (forcibly after the
   * transport's shutdown grace). Safe from any thread; idempotent.
   */
  void close();
}
