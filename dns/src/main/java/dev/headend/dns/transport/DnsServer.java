package dev.headend.dns.transport;

import dev.headend.core.transport.DatagramEndpoint;
import dev.headend.core.transport.StreamConnection;
import dev.headend.core.transport.StreamHandler;
import dev.headend.core.transport.StreamListener;
import dev.headend.core.transport.StreamTransport;
import dev.headend.dns.server.AuthoritativeServer;
import dev.headend.dns.server.AuthoritativeStreamEngine;
import dev.headend.dns.server.DnsServerEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An {@link AuthoritativeServer} on the network: UDP and TCP on the same address and port, on the
 * core JDK transports. UDP runs one thread and engine per socket; with more than one thread the
 * sockets share the port through SO_REUSEPORT and the kernel spreads clients across them.
 *
 * <pre>{@code
 * try (DnsServer dns = DnsServer.builder(server)
 *         .bind(new InetSocketAddress("127.0.0.1", 5353))
 *         .udpThreads(2)
 *         .start()) {
 *   System.out.println("DNS on " + dns.udpAddress());
 * }
 * }</pre>
 */
public final class DnsServer implements AutoCloseable {
  private final List<DatagramEndpoint<DnsServerEvent>> udp;
  private final StreamTransport tcp;
  private final StreamListener listener;

  private DnsServer(
      List<DatagramEndpoint<DnsServerEvent>> udp, StreamTransport tcp, StreamListener listener) {
    this.udp = udp;
    this.tcp = tcp;
    this.listener = listener;
  }

  /** A builder serving {@code server}. */
  public static Builder builder(AuthoritativeServer server) {
    return new Builder(server);
  }

  /** The UDP address (the real port when port 0 was asked for). */
  public InetSocketAddress udpAddress() {
    return udp.get(0).localAddress();
  }

  /** The TCP address: the same address and port as UDP. */
  public InetSocketAddress tcpAddress() {
    return listener.localAddress();
  }

  /** Stops listening, lets TCP connections finish writing briefly, and joins every thread. */
  @Override
  public void close() {
    listener.close();
    tcp.close();
    udp.forEach(DatagramEndpoint::close);
  }

  /** Configures a {@link DnsServer}. */
  public static final class Builder {
    private final AuthoritativeServer server;
    private InetSocketAddress bind;
    private int udpThreads = 1;
    private int tcpThreads = 1;
    private int maxTcpConnections = 256;
    private Duration tcpIdleTimeout = Duration.ofSeconds(10);
    private Consumer<? super DnsServerEvent> events = e -> {};
    private Clock clock = Clock.systemUTC();
    private boolean daemon;

    private Builder(AuthoritativeServer server) {
      this.server = Objects.requireNonNull(server, "server");
    }

    /** Address and port for UDP and TCP (port 0: a free port, the same for both). Required. */
    public Builder bind(InetSocketAddress address) {
      this.bind = Objects.requireNonNull(address, "address");
      return this;
    }

    /** UDP sockets (and threads) on the port. Default: 1. */
    public Builder udpThreads(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("udpThreads must be >= 1: " + n);
      }
      this.udpThreads = n;
      return this;
    }

    /** TCP I/O threads. Default: 1. */
    public Builder tcpThreads(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("tcpThreads must be >= 1: " + n);
      }
      this.tcpThreads = n;
      return this;
    }

    /** Most TCP clients at once. Default: 256. */
    public Builder maxTcpConnections(int n) {
      this.maxTcpConnections = n;
      return this;
    }

    /** Idle TCP connections close after this (RFC 7766 §6.2.3). Default: 10 s. */
    public Builder tcpIdleTimeout(Duration timeout) {
      this.tcpIdleTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Receives the engines' events (zone transfers, broken streams) on I/O threads. */
    public Builder onEvent(Consumer<? super DnsServerEvent> listener) {
      this.events = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** The clock handed to the engines. Default: system UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Whether the threads are daemon threads. Default: false. */
    public Builder daemon(boolean on) {
      this.daemon = on;
      return this;
    }

    /**
     * Binds UDP and TCP and starts serving.
     *
     * @throws IOException if the address cannot be bound for both
     */
    public DnsServer start() throws IOException {
      if (bind == null) {
        throw new IllegalStateException("bind(address) is required");
      }
      return SamePort.bind(bind, this::attempt);
    }

    private DnsServer attempt(InetSocketAddress address) throws IOException {
      List<DatagramEndpoint<DnsServerEvent>> udp = new ArrayList<>();
      try {
        InetSocketAddress at = address;
        for (int i = 0; i < udpThreads; i++) {
          DatagramEndpoint<DnsServerEvent> endpoint =
              DatagramEndpoint.builder(server.newDatagramEngine())
                  .bind(at)
                  .reusePort(udpThreads > 1)
                  .receiveBufferSize(4 << 20)
                  .clock(clock)
                  .daemon(daemon)
                  .name("headend-dns-udp-" + i)
                  .start();
          udp.add(endpoint);
          at = endpoint.localAddress();
        }
        StreamTransport tcp =
            StreamTransport.builder()
                .ioThreads(tcpThreads)
                .maxConnections(maxTcpConnections)
                .idleTimeout(tcpIdleTimeout)
                .shutdownGrace(Duration.ofSeconds(2))
                .clock(clock)
                .daemon(daemon)
                .name("headend-dns-tcp")
                .build();
        try {
          return new DnsServer(udp, tcp, tcp.listen(at, new TcpHandler(server, events)));
        } catch (IOException | RuntimeException e) {
          tcp.close();
          throw e;
        }
      } catch (IOException | RuntimeException e) {
        udp.forEach(DatagramEndpoint::close);
        throw e;
      }
    }
  }

  private record TcpHandler(AuthoritativeServer server, Consumer<? super DnsServerEvent> events)
      implements StreamHandler<DnsServerEvent, AuthoritativeStreamEngine> {
    @Override
    public AuthoritativeStreamEngine open(
        StreamConnection<AuthoritativeStreamEngine> connection, Instant now) {
      return server.newStreamEngine(connection.remoteAddress());
    }

    @Override
    public void onEvent(
        StreamConnection<AuthoritativeStreamEngine> connection, DnsServerEvent event) {
      events.accept(event);
    }
  }
}
