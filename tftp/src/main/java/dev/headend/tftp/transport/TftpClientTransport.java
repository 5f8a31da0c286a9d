package dev.headend.tftp.transport;

import dev.headend.core.DatagramEngine;
import dev.headend.core.Transmit;
import dev.headend.core.transport.DatagramEndpoint;
import dev.headend.tftp.TftpClient;
import dev.headend.tftp.TftpContent;
import dev.headend.tftp.TftpSink;
import dev.headend.tftp.TftpTransfer;
import dev.headend.tftp.TransferEvent;
import dev.headend.tftp.TransferOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * TFTP client transfers on UDP: each runs on a socket of its own (its transfer ID) on one shared
 * thread, and its future completes with the outcome. A failed transfer completes the future
 * exceptionally with a {@link TftpTransferException}. Close the transport when done; transfers
 * still running then fail (the server is told with an ERROR).
 *
 * <pre>{@code
 * try (TftpClientTransport tftp = TftpClientTransport.open(InetAddress.getLoopbackAddress())) {
 *   MemorySink config = TftpSink.toMemory(1 << 20);
 *   tftp.read(new InetSocketAddress("127.0.0.1", 6969), "modem.cfg", config,
 *       TransferOptions.defaults().blockSize(1428)).get();
 * }
 * }</pre>
 */
public final class TftpClientTransport implements AutoCloseable {
  private final DatagramEndpoint<Void> endpoint;
  private final Clock clock = Clock.systemUTC();

  private TftpClientTransport(DatagramEndpoint<Void> endpoint) {
    this.endpoint = endpoint;
  }

  /** A transport whose transfers use sockets on {@code localAddress} (0.0.0.0 for any). */
  public static TftpClientTransport open(InetAddress localAddress) throws IOException {
    DatagramEndpoint<Void> endpoint =
        DatagramEndpoint.builder(new Idle())
            .bind(new InetSocketAddress(localAddress, 0))
            .name("headend-tftp-client")
            .daemon(true)
            .start();
    return new TftpClientTransport(endpoint);
  }

  /** Reads {@code filename} from {@code server} into {@code sink}. */
  public CompletableFuture<TransferEvent.Completed> read(
      InetSocketAddress server, String filename, TftpSink sink, TransferOptions options) {
    return run(now -> TftpClient.read(server, filename, sink, options, now));
  }

  /** Writes {@code content} to {@code filename} on {@code server}. */
  public CompletableFuture<TransferEvent.Completed> write(
      InetSocketAddress server, String filename, TftpContent content, TransferOptions options) {
    return run(now -> TftpClient.write(server, filename, content, options, now));
  }

  private CompletableFuture<TransferEvent.Completed> run(Function<Instant, TftpTransfer> start) {
    CompletableFuture<TransferEvent.Completed> result = new CompletableFuture<>();
    endpoint
        .execute(
            () -> {
              TftpTransfer t = start.apply(clock.instant());
              try {
                endpoint.openSession(
                    t,
                    e -> {
                      if (e instanceof TransferEvent.Completed c) {
                        result.complete(c);
                      } else if (e instanceof TransferEvent.Failed f) {
                        result.completeExceptionally(new TftpTransferException(t, f));
                      }
                    });
              } catch (IOException | IllegalStateException e) {
                t.cancel("no socket for the transfer"); // closes the content, aborts the sink
                result.completeExceptionally(e);
              }
            })
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                result.completeExceptionally(e);
              }
            });
    return result;
  }

  /** Closes every transfer's socket. */
  @Override
  public void close() {
    endpoint.close();
  }

  /** The endpoint's own socket hears nothing: every transfer has a socket of its own. */
  private static final class Idle implements DatagramEngine<Void> {
    @Override
    public void handle(Instant now, InetSocketAddress from, ByteBuffer datagram) {
      // stray datagrams on the unused socket are dropped
    }

    @Override
    public Transmit pollTransmit() {
      return null;
    }

    @Override
    public Instant pollTimeout() {
      return null;
    }

    @Override
    public void handleTimeout(Instant now) {
      // no timers
    }

    @Override
    public Void pollEvent() {
      return null;
    }
  }
}
