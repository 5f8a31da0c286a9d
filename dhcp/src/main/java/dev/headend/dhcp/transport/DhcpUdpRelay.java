package dev.headend.dhcp.transport;

import dev.headend.core.transport.DatagramEndpoint;
import dev.headend.dhcp.relay.DhcpRelay;
import dev.headend.dhcp.relay.DhcpRelayEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A {@link DhcpRelay} on one UDP socket, bound to {@code 0.0.0.0:67} by default with SO_BROADCAST:
 * client broadcasts and server replies (sent to {@code giaddr}:67) arrive on the same socket.
 * Broadcast replies to clients go to 255.255.255.255, so the host needs {@code ip route add
 * 255.255.255.255/32 dev CLIENT-IFACE} when the client link is not its default route.
 */
public final class DhcpUdpRelay implements AutoCloseable {
  private final DatagramEndpoint<DhcpRelayEvent> endpoint;

  private DhcpUdpRelay(DatagramEndpoint<DhcpRelayEvent> endpoint) {
    this.endpoint = endpoint;
  }

  /** A builder running {@code relay}. */
  public static Builder builder(DhcpRelay relay) {
    return new Builder(relay);
  }

  /** The bound address. */
  public InetSocketAddress localAddress() {
    return endpoint.localAddress();
  }

  /** Stops the thread and closes the socket. */
  @Override
  public void close() {
    endpoint.close();
  }

  /** Configures a {@link DhcpUdpRelay}. */
  public static final class Builder {
    private final DhcpRelay relay;
    private InetSocketAddress bind = new InetSocketAddress(67);
    private Consumer<? super DhcpRelayEvent> listener = e -> {};
    private boolean daemon;

    private Builder(DhcpRelay relay) {
      this.relay = Objects.requireNonNull(relay, "relay");
    }

    /** Address and port to bind. Default {@code 0.0.0.0:67}. */
    public Builder bind(InetSocketAddress address) {
      this.bind = Objects.requireNonNull(address, "address");
      return this;
    }

    /** Receives the relay's events on its thread. Default: discarded. */
    public Builder onEvent(Consumer<? super DhcpRelayEvent> listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Whether the thread is a daemon thread. Default false. */
    public Builder daemon(boolean on) {
      this.daemon = on;
      return this;
    }

    /**
     * Binds the socket and starts the thread.
     *
     * @throws IOException if the socket cannot be bound
     */
    public DhcpUdpRelay start() throws IOException {
      return new DhcpUdpRelay(
          DatagramEndpoint.builder(relay)
              .bind(bind)
              .broadcast(true)
              .reuseAddress(true)
              .onEvent(listener)
              .daemon(daemon)
              .name("headend-dhcp-relay-" + bind.getPort())
              .start());
    }
  }
}
