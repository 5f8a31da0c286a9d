package dev.headend.tftp.transport;

import dev.headend.core.transport.DatagramEndpoint;
import dev.headend.tftp.TftpServer;
import dev.headend.tftp.TftpServerEvent;
import dev.headend.tftp.TftpTransfer;
import dev.headend.tftp.TransferEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A {@link TftpServer} on UDP: the request port, and one socket per transfer on a port the kernel
 * picks (RFC 1350's transfer ID), all on one thread. A transfer's socket closes when the transfer
 * is done. Files are read and written on that thread, which suits local disks and generated
 * content.
 *
 * <pre>{@code
 * TftpServer engine = TftpServer.builder(TftpFiles.directory(Path.of("/srv/tftp"))).build();
 * try (TftpServerTransport tftp = TftpServerTransport.builder(engine)
 *         .bind(new InetSocketAddress("127.0.0.1", 6969))
 *         .start()) {
 *   System.out.println("TFTP on " + tftp.localAddress());
 * }
 * }</pre>
 */
public final class TftpServerTransport implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(TftpServerTransport.class.getName());

  private final DatagramEndpoint<TftpServerEvent> endpoint;

  private TftpServerTransport(DatagramEndpoint<TftpServerEvent> endpoint) {
    this.endpoint = endpoint;
  }

  /** A builder for a transport serving {@code server}. */
  public static Builder builder(TftpServer server) {
    return new Builder(server);
  }

  /** The request port's address (with the real port when port 0 was asked for). */
  public InetSocketAddress localAddress() {
    return endpoint.localAddress();
  }

  /** Transfers whose sockets are open now. */
  public int openTransfers() {
    return endpoint.openSessions();
  }

  /** Closes the request port and every transfer's socket. */
  @Override
  public void close() {
    endpoint.close();
  }

  /** Settings of a {@link TftpServerTransport}. */
  public static final class Builder {
    private final TftpServer server;
    private InetSocketAddress bind;
    private Consumer<? super TftpServerEvent> requests = e -> {};
    private BiConsumer<? super TftpTransfer, ? super TransferEvent> transfers = (t, e) -> {};
    private int maxOpenTransfers = 1024;
    private boolean daemon;

    Builder(TftpServer server) {
      this.server = Objects.requireNonNull(server, "server");
    }

    /** The request port's address (69 for the real thing; port 0 picks one). Required. */
    public Builder bind(InetSocketAddress address) {
      this.bind = Objects.requireNonNull(address, "address");
      return this;
    }

    /** Receives what happens on the request port, on the transport's thread. */
    public Builder onRequest(Consumer<? super TftpServerEvent> listener) {
      this.requests = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Receives each transfer's outcome, on the transport's thread. */
    public Builder onTransfer(BiConsumer<? super TftpTransfer, ? super TransferEvent> listener) {
      this.transfers = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Transfer sockets open at once (default 1024); keep it at least the server's {@code
     * maxTransfers}, since a transfer's socket stays open one timeout after it ends.
     */
    public Builder maxOpenTransfers(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxOpenTransfers must be positive");
      }
      this.maxOpenTransfers = n;
      return this;
    }

    /** Whether the transport's thread is a daemon thread (default: no). */
    public Builder daemon(boolean on) {
      this.daemon = on;
      return this;
    }

    /** Binds and starts the transport. */
    public TftpServerTransport start() throws IOException {
      if (bind == null) {
        throw new IllegalStateException("bind address not set");
      }
      CompletableFuture<DatagramEndpoint<TftpServerEvent>> self = new CompletableFuture<>();
      Consumer<? super TftpServerEvent> requestListener = requests;
      BiConsumer<? super TftpTransfer, ? super TransferEvent> transferListener = transfers;
      DatagramEndpoint<TftpServerEvent> endpoint =
          DatagramEndpoint.builder(server)
              .bind(bind)
              .name("headend-tftp-" + bind.getPort())
              .daemon(daemon)
              .maxSessions(maxOpenTransfers)
              .onEvent(
                  e -> {
                    if (e instanceof TftpServerEvent.Accepted a) {
                      open(self.join(), a.transfer(), transferListener);
                    }
                    requestListener.accept(e);
                  })
              .start();
      self.complete(endpoint);
      return new TftpServerTransport(endpoint);
    }

    private static void open(
        DatagramEndpoint<TftpServerEvent> endpoint,
        TftpTransfer t,
        BiConsumer<? super TftpTransfer, ? super TransferEvent> listener) {
      try {
        endpoint.openSession(t, e -> listener.accept(t, e));
      } catch (IOException | IllegalStateException e) {
        LOG.log(System.Logger.Level.WARNING, "no socket for the transfer of " + t.filename(), e);
        t.cancel("server out of sockets");
        listener.accept(t, t.pollEvent());
      }
    }
  }
}
