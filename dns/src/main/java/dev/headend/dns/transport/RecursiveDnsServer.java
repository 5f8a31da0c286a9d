package dev.headend.dns.transport;

import dev.headend.core.transport.DatagramEndpoint;
import dev.headend.core.transport.StreamConnection;
import dev.headend.core.transport.StreamHandler;
import dev.headend.core.transport.StreamListener;
import dev.headend.core.transport.StreamTransport;
import dev.headend.dns.resolver.IterativeResolver;
import dev.headend.dns.resolver.Resolution;
import dev.headend.dns.resolver.ResolverEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.Name;

/**
 * An {@link IterativeResolver} on the network: a recursive DNS service for clients over UDP and TCP
 * on one address and port, and a {@link #resolve} method for code in the same process.
 *
 * <p>All resolver work happens on one thread (the UDP endpoint's). Upstream UDP queries leave from
 * a fresh random port each (RFC 5452 §9.2); upstream TCP retries and client TCP connections run on
 * a {@link StreamTransport} and hand their messages to the resolver's thread.
 *
 * <pre>{@code
 * IterativeResolver resolver = IterativeResolver.builder(RootHints.iana()).build();
 * try (RecursiveDnsServer dns = RecursiveDnsServer.builder(resolver)
 *         .bind(new InetSocketAddress("127.0.0.1", 5301)).start()) {
 *   Resolution r = dns.resolve(Name.fromString("www.example.com."), Type.A).get();
 * }
 * }</pre>
 */
public final class RecursiveDnsServer implements AutoCloseable {
  private final IterativeResolver resolver;
  private final Clock clock;
  private final StreamTransport tcp;
  private DatagramEndpoint<ResolverEvent> udp;
  private StreamListener listener;
  // touched only on the resolver's thread
  private final Map<Long, CompletableFuture<Resolution>> apiWaiting = new HashMap<>();
  private final Map<Long, StreamConnection<FramedMessageEngine>> tcpWaiting = new HashMap<>();

  private RecursiveDnsServer(Builder b, StreamTransport tcp) {
    this.resolver = b.resolver;
    this.clock = b.clock;
    this.tcp = tcp;
  }

  /** A builder serving {@code resolver} (an engine not driven by anything else). */
  public static Builder builder(IterativeResolver resolver) {
    return new Builder(resolver);
  }

  /** The address clients use, UDP and TCP. */
  public InetSocketAddress address() {
    return udp.localAddress();
  }

  /** Resolves {@code name} and {@code type}; completes on the resolver's thread. */
  public CompletableFuture<Resolution> resolve(Name name, int type) {
    CompletableFuture<Resolution> result = new CompletableFuture<>();
    udp.execute(() -> apiWaiting.put(resolver.resolve(clock.instant(), name, type), result))
        .whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                result.completeExceptionally(failure);
              }
            });
    return result;
  }

  /** The resolver's counters, read on its thread. */
  public CompletableFuture<IterativeResolver.Statistics> statistics() {
    CompletableFuture<IterativeResolver.Statistics> s = new CompletableFuture<>();
    udp.execute(() -> s.complete(resolver.statistics()));
    return s;
  }

  @Override
  public void close() {
    if (listener != null) {
      listener.close();
    }
    tcp.close();
    if (udp != null) {
      udp.close();
    }
  }

  /** Runs on the resolver's thread for each event. */
  private void onEvent(ResolverEvent event) {
    if (event instanceof ResolverEvent.Resolved r) {
      CompletableFuture<Resolution> f = apiWaiting.remove(r.requestId());
      if (f != null) {
        f.complete(r.resolution());
      }
    } else if (event instanceof ResolverEvent.ResponseReady r) {
      StreamConnection<FramedMessageEngine> c = tcpWaiting.remove(r.requestId());
      if (c != null) {
        c.execute(() -> c.engine().send(r.response()));
      }
    } else if (event instanceof ResolverEvent.TcpQuery q) {
      tcp.connect(
          q.server(), new OneTcpQuery(q.query(), response -> toResolver(q.server(), response)));
    }
  }

  /** Hands a message to the resolver on its thread as coming from {@code from}. */
  private void toResolver(InetSocketAddress from, byte[] message) {
    udp.execute(() -> resolver.handle(clock.instant(), from, ByteBuffer.wrap(message)));
  }

  /** Clients over TCP: each query goes to the resolver; its response comes back by event. */
  private final class ClientTcp implements StreamHandler<byte[], FramedMessageEngine> {
    @Override
    public FramedMessageEngine open(StreamConnection<FramedMessageEngine> c, Instant now) {
      return FramedMessageEngine.server(16);
    }

    @Override
    public void onEvent(StreamConnection<FramedMessageEngine> c, byte[] query) {
      udp.execute(
          () -> {
            long id =
                resolver.submit(clock.instant(), c.remoteAddress(), ByteBuffer.wrap(query), 65_535);
            tcpWaiting.put(id, c);
          });
    }
  }

  /** Configures a {@link RecursiveDnsServer}. */
  public static final class Builder {
    private final IterativeResolver resolver;
    private InetSocketAddress bind;
    private Clock clock = Clock.systemUTC();
    private int maxTcpConnections = 256;
    private Duration tcpIdleTimeout = Duration.ofSeconds(10);
    private boolean daemon;

    private Builder(IterativeResolver resolver) {
      this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /** Where clients reach it, UDP and TCP (port 0: a free port, the same for both). Required. */
    public Builder bind(InetSocketAddress address) {
      this.bind = Objects.requireNonNull(address, "address");
      return this;
    }

    /** The clock the resolver's time comes from. Default: system UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Most client TCP connections at once. Default: 256. */
    public Builder maxTcpConnections(int n) {
      this.maxTcpConnections = n;
      return this;
    }

    /** Idle TCP connections close after this. Default: 10 s. */
    public Builder tcpIdleTimeout(Duration timeout) {
      this.tcpIdleTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Whether the threads are daemon threads. Default: false. */
    public Builder daemon(boolean on) {
      this.daemon = on;
      return this;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException if the address cannot be bound for UDP and TCP
     */
    public RecursiveDnsServer start() throws IOException {
      if (bind == null) {
        throw new IllegalStateException("bind(address) is required");
      }
      return SamePort.bind(bind, this::attempt);
    }

    private RecursiveDnsServer attempt(InetSocketAddress address) throws IOException {
      StreamTransport tcp =
          StreamTransport.builder()
              .maxConnections(maxTcpConnections)
              .idleTimeout(tcpIdleTimeout)
              .connectTimeout(Duration.ofSeconds(3))
              .shutdownGrace(Duration.ofSeconds(1))
              .clock(clock)
              .daemon(daemon)
              .name("headend-resolver-tcp")
              .build();
      RecursiveDnsServer server = new RecursiveDnsServer(this, tcp);
      try {
        server.udp =
            DatagramEndpoint.builder(resolver)
                .bind(address)
                .clock(clock)
                .daemon(daemon)
                .name("headend-resolver")
                .onEvent(server::onEvent)
                .freshSourcePorts(
                    (to, datagram) -> (datagram.get(datagram.position() + 2) & 0x80) == 0,
                    Duration.ofSeconds(10),
                    4096)
                .start();
        server.listener = tcp.listen(server.udp.localAddress(), server.new ClientTcp());
        return server;
      } catch (IOException | RuntimeException e) {
        server.close();
        throw e;
      }
    }
  }
}
