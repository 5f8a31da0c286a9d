package dev.headend.dns.transport;

import dev.headend.core.transport.DatagramEndpoint;
import dev.headend.core.transport.StreamTransport;
import dev.headend.dns.resolver.StubResolverEngine;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;

/**
 * A DNS client for applications: asks a recursive resolver and completes a future with its
 * response. Each UDP query leaves from a fresh random port; truncated answers are asked again over
 * TCP. One thread does all the work.
 *
 * <pre>{@code
 * try (StubResolver dns = StubResolver.start(List.of(new InetSocketAddress("127.0.0.1", 5301)))) {
 *   Message mx = dns.query(Name.fromString("example.com."), Type.MX).get();
 * }
 * }</pre>
 */
public final class StubResolver implements AutoCloseable {
  private final StubResolverEngine engine;
  private final Clock clock;
  private final StreamTransport tcp;
  private final DatagramEndpoint<StubResolverEngine.Event> udp;
  private final Map<Long, CompletableFuture<Message>> waiting = new HashMap<>(); // engine thread

  private StubResolver(StubResolverEngine engine, Clock clock, boolean daemon) throws IOException {
    this.engine = engine;
    this.clock = clock;
    this.tcp =
        StreamTransport.builder()
            .connectTimeout(Duration.ofSeconds(3))
            .idleTimeout(Duration.ofSeconds(10))
            .shutdownGrace(Duration.ofMillis(200))
            .clock(clock)
            .daemon(daemon)
            .name("headend-stub-tcp")
            .build();
    try {
      this.udp =
          DatagramEndpoint.builder(engine)
              .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
              .clock(clock)
              .daemon(daemon)
              .name("headend-stub")
              .onEvent(this::onEvent)
              .freshSourcePorts((to, datagram) -> true, Duration.ofSeconds(10), 4096)
              .start();
    } catch (IOException | RuntimeException e) {
      tcp.close();
      throw e;
    }
  }

  /** A stub resolver asking {@code servers} with the engine's defaults; daemon threads. */
  public static StubResolver start(List<InetSocketAddress> servers) throws IOException {
    return start(StubResolverEngine.builder(servers).build(), Clock.systemUTC());
  }

  /** A stub resolver driving {@code engine} (configured as you like); daemon threads. */
  public static StubResolver start(StubResolverEngine engine, Clock clock) throws IOException {
    return new StubResolver(
        Objects.requireNonNull(engine, "engine"), Objects.requireNonNull(clock, "clock"), true);
  }

  /**
   * Asks for {@code name} and {@code type}. Completes with the response (whatever its RCODE), or
   * exceptionally with an {@link IOException} when no server answered.
   */
  public CompletableFuture<Message> query(Name name, int type) {
    CompletableFuture<Message> result = new CompletableFuture<>();
    udp.execute(() -> waiting.put(engine.query(clock.instant(), name, type), result))
        .whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                result.completeExceptionally(failure);
              }
            });
    return result;
  }

  @Override
  public void close() {
    tcp.close();
    udp.close();
  }

  private void onEvent(StubResolverEngine.Event event) {
    if (event instanceof StubResolverEngine.Event.Answered a) {
      CompletableFuture<Message> f = waiting.remove(a.requestId());
      if (f != null) {
        f.complete(a.response());
      }
    } else if (event instanceof StubResolverEngine.Event.Failed f) {
      CompletableFuture<Message> w = waiting.remove(f.requestId());
      if (w != null) {
        w.completeExceptionally(new IOException("DNS lookup failed: " + f.reason()));
      }
    } else if (event instanceof StubResolverEngine.Event.TcpQuery q) {
      tcp.connect(
          q.server(),
          new OneTcpQuery(
              q.query(),
              response ->
                  udp.execute(
                      () ->
                          engine.handle(clock.instant(), q.server(), ByteBuffer.wrap(response)))));
    }
  }
}
