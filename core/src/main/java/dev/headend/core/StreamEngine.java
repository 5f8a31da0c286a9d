package dev.headend.core;

import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * A sans-I/O protocol engine for one byte-stream connection (SMTP, POP3, IMAP, LDAP, FTP control):
 * bytes in, events out, the application's decisions in, bytes out.
 *
 * <p>The driving loop, which {@link dev.headend.core.transport.StreamTransport} implements over TCP
 * connections:
 *
 * <pre>{@code
 * engine.receive(now, bytes);               // bytes the peer sent; any split is fine
 * while ((e = engine.nextEvent()) != null)   // a parsed command, a reply ...
 *   application decides -> engine.respond... // protocol-specific decision methods
 * while ((out = engine.pollOutput()) != null) write(out);
 * if (engine.isClosed()) close the connection once the output is written
 * }</pre>
 *
 * <p>Decision methods are the engine's own (its {@code accept}, {@code reject(550, ...)}); this
 * interface only carries the bytes, time and lifecycle every stream protocol shares. Engines are
 * single-threaded and deterministic; a peer's bad input becomes a protocol reply or an event, never
 * an exception.
 *
 * @param <E> the engine's event type
 */
public interface StreamEngine<E> {

  /**
   * Offers bytes the peer sent (from {@code bytes}' position to its limit). The engine consumes
   * what it can and advances the position past it; bytes it leaves are offered again, with more
   * appended, on the next call. An engine leaves bytes unconsumed to push back, for example while a
   * decision is pending on a pipelined command; it must consume input it can buffer within its own
   * limits, so a full unconsumed buffer means "stop reading this peer for now".
   */
  void receive(Instant now, ByteBuffer bytes);

  /** The peer closed its sending side: no byte will follow. An empty buffer does not mean this. */
  void endOfInput();

  /** The next event for the application, or {@code null} until more input or a decision. */
  E nextEvent();

  /** The next bytes to write to the peer, or {@code null} when there are none. */
  ByteBuffer pollOutput();

  /** The earliest instant at which {@link #handleTimeout} must be called, or {@code null}. */
  Instant pollTimeout();

  /** Acts on every deadline at or before {@code now} (a command timeout, for instance). */
  void handleTimeout(Instant now);

  /**
   * Whether the engine is done with the connection: once its output has been written, the adapter
   * closes the socket.
   */
  boolean isClosed();
}
