package dev.headend.dhcp.transport;

import dev.headend.core.transport.DatagramEndpoint;
import dev.headend.dhcp.server.DhcpServer;
import dev.headend.dhcp.server.DhcpServerEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A {@link DhcpServer} on a UDP socket: one thread, SO_BROADCAST on, bound to {@code 0.0.0.0:67} by
 * default (a high port for tests, with {@link DhcpServer.Builder#ports} and {@link
 * DhcpServer.Builder#replyToSource} on the engine).
 *
 * <pre>{@code
 * try (DhcpUdpServer udp = DhcpUdpServer.builder(server)
 *         .onEvent(e -> System.out.println(e))
 *         .start()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>On a host with several links, {@link Builder#bindToInterface} ties the server to one of them
 * (Linux {@code SO_BINDTOIFINDEX}): it then hears only that link's clients, broadcasts included,
 * and its broadcast replies leave through it; several servers, one per link and each with its own
 * subnets, can share port 67 this way. That needs the JVM option {@code --add-opens
 * java.base/sun.nio.ch=ALL-UNNAMED} (see {@link DatagramEndpoint.Builder#bindToInterface}). Without
 * it the socket hears every link, and broadcast replies to 255.255.255.255 follow the routing
 * table: on a host whose link to the clients is not the default route, add {@code ip route add
 * 255.255.255.255/32 dev IFACE}. An untied server needs neither for relayed requests (giaddr set);
 * a tied one hears relays only through its own interface and answers them out of it, so relays must
 * reach it over that link.
 */
public final class DhcpUdpServer implements AutoCloseable {
  /** SO_RCVBUF asked for by default: room for a few thousand requests while the thread is busy. */
  static final int DEFAULT_RECEIVE_BUFFER = 4 << 20;

  /** SO_SNDBUF asked for by default. */
  static final int DEFAULT_SEND_BUFFER = 1 << 20;

  private static final long FORCE_CLOSE_WAIT_SECONDS = 10;

  private final DatagramEndpoint<DhcpServerEvent> endpoint;
  private final ExecutorService forcer;

  private DhcpUdpServer(DatagramEndpoint<DhcpServerEvent> endpoint, ExecutorService forcer) {
    this.endpoint = endpoint;
    this.forcer = forcer;
  }

  /** A builder serving {@code server}. */
  public static Builder builder(DhcpServer server) {
    return new Builder(server);
  }

  /** The bound address (with the real port when port 0 was asked for). */
  public InetSocketAddress localAddress() {
    return endpoint.localAddress();
  }

  /**
   * Runs {@code task} on the server's thread (to read leases or statistics from the engine, which
   * is not thread-safe), then sends what it queued.
   */
  public CompletableFuture<Void> execute(Runnable task) {
    return endpoint.execute(task);
  }

  /**
   * Stops the thread and closes the socket, after a running fsync has finished (ACKs still waiting
   * for one are dropped); the lease store stays open (the caller owns it).
   */
  @Override
  public void close() {
    endpoint.close();
    if (forcer != null) {
      forcer.shutdown();
      try {
        if (!forcer.awaitTermination(FORCE_CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
          throw new IllegalStateException("lease store fsync still running after 10 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Configures a {@link DhcpUdpServer}. */
  public static final class Builder {
    private final DhcpServer server;
    private InetSocketAddress bind = new InetSocketAddress(67);
    private Consumer<? super DhcpServerEvent> listener = e -> {};
    private Clock clock = Clock.systemUTC();
    private boolean daemon;
    private boolean asyncFsync = true;
    private int receiveBufferSize = DEFAULT_RECEIVE_BUFFER;
    private int sendBufferSize = DEFAULT_SEND_BUFFER;
    private String boundInterface;

    private Builder(DhcpServer server) {
      this.server = Objects.requireNonNull(server, "server");
    }

    /**
     * Address and port to bind. Default: {@code 0.0.0.0:67} (needs root or CAP_NET_BIND_SERVICE).
     */
    public Builder bind(InetSocketAddress address) {
      this.bind = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * Serves only the clients on the interface named {@code name}, and sends broadcast replies out
     * of it (Linux; the JVM needs {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}, else {@link
     * #start()} throws {@link UnsupportedOperationException} saying so). Default: every interface.
     * A name that cannot be an interface's (empty, over 15 characters, other than {@code A-Z a-z
     * 0-9 _ . @ -}) makes {@link #start()} throw {@link IllegalArgumentException}; one that names
     * no interface here, {@link IOException}.
     */
    public Builder bindToInterface(String name) {
      this.boundInterface = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Receives the engine's events on the server's thread. Default: discarded. */
    public Builder onEvent(Consumer<? super DhcpServerEvent> listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** The clock lease times come from. Default: {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Whether the server's thread is a daemon thread. Default: false. */
    public Builder daemon(boolean on) {
      this.daemon = on;
      return this;
    }

    /**
     * Whether the lease store's fsync runs on a thread of its own ({@link DhcpServer#forceAsync}),
     * so that requests keep being served while it runs and the ACKs of everything received
     * meanwhile share the next one; an ACK still waits for its lease's fsync either way. Default:
     * true.
     */
    public Builder asyncFsync(boolean on) {
      this.asyncFsync = on;
      return this;
    }

    /**
     * SO_RCVBUF in bytes (the kernel caps it at {@code net.core.rmem_max}); 0 keeps the system
     * default. Default: 4 MiB.
     */
    public Builder receiveBufferSize(int bytes) {
      this.receiveBufferSize = nonNegative(bytes);
      return this;
    }

    /**
     * SO_SNDBUF in bytes (capped at {@code net.core.wmem_max}); 0 keeps the system default.
     * Default: 1 MiB.
     */
    public Builder sendBufferSize(int bytes) {
      this.sendBufferSize = nonNegative(bytes);
      return this;
    }

    private static int nonNegative(int bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("must be >= 0: " + bytes);
      }
      return bytes;
    }

    /**
     * Binds the socket and starts the thread.
     *
     * @throws IOException if the socket cannot be bound
     * @throws UnsupportedOperationException if {@link #bindToInterface} cannot be honoured here
     */
    public DhcpUdpServer start() throws IOException {
      String name =
          "headend-dhcp-" + (boundInterface == null ? "" : boundInterface + "-") + bind.getPort();
      DatagramEndpoint.Builder<DhcpServerEvent> b = DatagramEndpoint.builder(server);
      if (boundInterface != null) {
        b.bindToInterface(boundInterface);
      }
      DatagramEndpoint<DhcpServerEvent> endpoint =
          b.bind(bind)
              .broadcast(true)
              .reuseAddress(true)
              .receiveBufferSize(receiveBufferSize)
              .sendBufferSize(sendBufferSize)
              .onEvent(listener)
              .clock(clock)
              .daemon(daemon)
              .name(name)
              .start();
      if (!asyncFsync) {
        return new DhcpUdpServer(endpoint, null);
      }
      ExecutorService forcer =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, name + "-fsync");
                t.setDaemon(true); // close() waits for a running fsync
                return t;
              });
      try {
        // on the engine's thread, before it gets its first datagram's turn to reply
        endpoint.execute(() -> server.forceAsync(forcer, () -> endpoint.execute(() -> {}))).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        endpoint.close();
        forcer.shutdown();
        throw new IOException("interrupted while starting", e);
      } catch (ExecutionException e) {
        endpoint.close();
        forcer.shutdown();
        throw new IOException("could not start: " + e.getCause(), e.getCause());
      }
      return new DhcpUdpServer(endpoint, forcer);
    }
  }
}
