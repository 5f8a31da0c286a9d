package dev.headend.dhcp.transport;

import dev.headend.core.transport.DatagramEndpoint;
import dev.headend.dhcp.client.DhcpClient;
import dev.headend.dhcp.client.DhcpClientEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A {@link DhcpClient} on a UDP socket: one thread, SO_BROADCAST on, bound to {@code 0.0.0.0:68} by
 * default (a high port for tests, with {@link DhcpClient.Builder#serverPort} and {@link
 * DhcpClient.Builder#serverAddress} on the engine). {@link Builder#start()} starts the engine.
 *
 * <pre>{@code
 * try (DhcpUdpClient udp = DhcpUdpClient.builder(client)
 *         .onEvent(e -> System.out.println(e)) // Bound, Renewed, Expired, Nak ...
 *         .start()) {
 *   ...
 *   udp.release().join();
 * }
 * }</pre>
 *
 * <p>A plain UDP socket cannot receive a unicast for an address not yet configured, so the client
 * keeps the broadcast flag on (the default). {@link Builder#bindToInterface} sends its broadcasts
 * out of the interface it names (Linux; the JVM needs {@code --add-opens
 * java.base/sun.nio.ch=ALL-UNNAMED}); without it they follow the routing table, and the host needs
 * a route for 255.255.255.255 through the interface ({@code ip route add 255.255.255.255/32 dev
 * IFACE}) when that is not the default route. The adapter does not configure the interface: apply
 * the {@link DhcpClientEvent.Bound} lease yourself (renewals are unicast from the leased address,
 * so they need it).
 */
public final class DhcpUdpClient implements AutoCloseable {
  private final DatagramEndpoint<DhcpClientEvent> endpoint;
  private final DhcpClient client;
  private final Clock clock;

  private DhcpUdpClient(DatagramEndpoint<DhcpClientEvent> endpoint, DhcpClient client, Clock c) {
    this.endpoint = endpoint;
    this.client = client;
    this.clock = c;
  }

  /** A builder running {@code client}. */
  public static Builder builder(DhcpClient client) {
    return new Builder(client);
  }

  /** The bound address. */
  public InetSocketAddress localAddress() {
    return endpoint.localAddress();
  }

  /** Sends a DHCPRELEASE for the lease held, if any, and stops the engine. */
  public CompletableFuture<Void> release() {
    return endpoint.execute(() -> client.release(clock.instant()));
  }

  /** Reports the leased address in use: DHCPDECLINE, then a new DISCOVER 10 s later. */
  public CompletableFuture<Void> decline() {
    return endpoint.execute(() -> client.decline(clock.instant()));
  }

  /** Runs {@code task} on the client's thread (the engine is not thread-safe), then sends. */
  public CompletableFuture<Void> execute(Runnable task) {
    return endpoint.execute(task);
  }

  /** Stops the thread and closes the socket (no DHCPRELEASE: call {@link #release()} first). */
  @Override
  public void close() {
    endpoint.close();
  }

  /** Configures a {@link DhcpUdpClient}. */
  public static final class Builder {
    private final DhcpClient client;
    private InetSocketAddress bind = new InetSocketAddress(68);
    private Consumer<? super DhcpClientEvent> listener = e -> {};
    private Clock clock = Clock.systemUTC();
    private boolean daemon;
    private String boundInterface;

    private Builder(DhcpClient client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    /** Address and port to bind. Default {@code 0.0.0.0:68} (needs CAP_NET_BIND_SERVICE). */
    public Builder bind(InetSocketAddress address) {
      this.bind = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * Sends and receives on the interface named {@code name} only (Linux; the JVM needs {@code
     * --add-opens java.base/sun.nio.ch=ALL-UNNAMED}, else {@link #start()} throws {@link
     * UnsupportedOperationException} saying so). Default: as the routing table says. A name that
     * cannot be an interface's (empty, over 15 characters, other than {@code A-Z a-z 0-9 _ . @ -})
     * makes {@link #start()} throw {@link IllegalArgumentException}; one that names no interface
     * here, {@link IOException}.
     */
    public Builder bindToInterface(String name) {
      this.boundInterface = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Receives the engine's events on the client's thread. Default: discarded. */
    public Builder onEvent(Consumer<? super DhcpClientEvent> listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** The clock. Default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Whether the thread is a daemon thread. Default false. */
    public Builder daemon(boolean on) {
      this.daemon = on;
      return this;
    }

    /**
     * Binds the socket, starts the thread and the client (DISCOVER, or REQUEST in INIT-REBOOT).
     *
     * @throws IOException if the socket cannot be bound
     * @throws UnsupportedOperationException if {@link #bindToInterface} cannot be honoured here
     */
    public DhcpUdpClient start() throws IOException {
      DatagramEndpoint.Builder<DhcpClientEvent> b = DatagramEndpoint.builder(client);
      if (boundInterface != null) {
        b.bindToInterface(boundInterface);
      }
      DatagramEndpoint<DhcpClientEvent> endpoint =
          b.bind(bind)
              .broadcast(true)
              .reuseAddress(true)
              .onEvent(listener)
              .clock(clock)
              .daemon(daemon)
              .name("headend-dhcp-client-" + bind.getPort())
              .start();
      Clock c = clock;
      endpoint.execute(() -> client.start(c.instant()));
      return new DhcpUdpClient(endpoint, client, clock);
    }
  }
}
