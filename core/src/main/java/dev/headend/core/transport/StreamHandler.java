package dev.headend.core.transport;

import dev.headend.core.StreamEngine;
import java.time.Instant;

/**
 * The application side of stream connections: makes an engine for each connection and acts on its
 * events. Every method is called on the connection's I/O thread, so it must not block; work that
 * waits for I/O (a DNS lookup, a store) hands its result back with {@link
 * StreamConnection#execute}.
 *
 * @param <E> the engine's event type
 * @param <S> the engine type
 */
public interface StreamHandler<E, S extends StreamEngine<E>> {

  /**
   * Makes the engine for a new connection (accepted, or connected by {@link
   * StreamTransport#connect}). {@link StreamConnection#engine()} is null until this returns.
   * Throwing closes the connection.
   */
  S open(StreamConnection<S> connection, Instant now);

  /**
   * Acts on one event, typically by calling the engine's decision methods. Throwing closes the
   * connection (and is logged); other connections are not affected.
   */
  void onEvent(StreamConnection<S> connection, E event);

  /**
   * The connection is closed; called once for every connection {@link #open} succeeded on.
   *
   * @param cause {@code null} for an orderly close (by the engine, the application, the peer after
   *     the engine finished, or transport shutdown); a {@link
   *     java.nio.channels.InterruptedByTimeoutException} for an idle timeout; otherwise the I/O
   *     error or the exception thrown by the engine or handler
   */
  default void onClose(StreamConnection<S> connection, Throwable cause) {}
}
