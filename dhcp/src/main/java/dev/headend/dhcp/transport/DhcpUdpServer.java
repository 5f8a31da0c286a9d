package dev.headend.dhcp.transport;

import dev.headend.core.transport.DatagramEndpoint;
import dev.headend.dhcp.server.DhcpServer;
import dev.headend.dhcp.server.DhcpServerEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
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
 * <p>Broadcast replies go to 255.255.255.255, which Linux routes like any address: on a host whose
 * link to the clients is not the default route, add {@code ip route add 255.255.255.255/32 dev
 * IFACE} (the socket is not bound to a device, as that needs privileges Java cannot ask for). Serve
 * one link per server this way; several links need one server per interface address and a relay, as
 * RFC 2131 expects.
 */
public final class DhcpUdpServer implements AutoCloseable {
  private final DatagramEndpoint<DhcpServerEvent> endpoint;

  private DhcpUdpServer(DatagramEndpoint<DhcpServerEvent> endpoint) {
    this.endpoint = endpoint;
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

  /** Stops the thread and closes the socket; the lease store stays open (the caller owns it). */
  @Override
  public void close() {
    endpoint.close();
  }

  /** Configures a {@link DhcpUdpServer}. */
  public static final class Builder {
    private final DhcpServer server;
    private InetSocketAddress bind = new InetSocketAddress(67);
    private Consumer<? super DhcpServerEvent> listener = e -> {};
    private Clock clock = Clock.systemUTC();
    private boolean daemon;

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
     * Binds the socket and starts the thread.
     *
     * @throws IOException if the socket cannot be bound
     */
    public DhcpUdpServer start() throws IOException {
      return new DhcpUdpServer(
          DatagramEndpoint.builder(server)
              .bind(bind)
              .broadcast(true)
              .reuseAddress(true)
              .onEvent(listener)
              .clock(clock)
              .daemon(daemon)
              .name("headend-dhcp-" + bind.getPort())
              .start());
    }
  }
}
