package dev.headend.core.transport;

import dev.headend.core.DatagramEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Drives one {@link DatagramEngine} over one UDP socket on its own thread: received datagrams go to
 * the engine with the time, the engine's datagrams are sent, its deadlines are honoured and its
 * events are handed to a listener.
 *
 * <p>The engine is only ever touched on the endpoint's thread. To call it from elsewhere (start a
 * query, change configuration) use {@link #execute}. An exception thrown by the engine or the
 * listener is logged and the datagram that caused it dropped; the endpoint keeps serving. A
 * datagram the socket cannot take right now waits (and stops the engine from being asked for more)
 * until it can.
 *
 * <pre>{@code
 * try (var udp = DatagramEndpoint.builder(engine)
 *         .bind(new InetSocketAddress("127.0.0.1", 5353))
 *         .onEvent(event -> log.info(event))
 *         .start()) {
 *   ...
 * }
 * }</pre>
 *
 * @param <E> the engine's event type
 */
public final class DatagramEndpoint<E> implements AutoCloseable {
  /**
   * Chooses the datagrams that leave from a fresh random port rather than the bound socket, as a
   * resolver sends its upstream queries (RFC 5452 §9.2): each goes out from a new socket, bound to
   * a port the kernel picks at random and connected to the destination, so only the destination can
   * answer on it. The first reply comes back to the engine's {@link DatagramEngine#handle} like any
   * other datagram; then, or after the reply window, the socket is closed.
   */
  @FunctionalInterface
  public interface SourcePortPolicy {
    /** Whether {@code datagram} (position to limit; read it, do not move it) needs a fresh port. */
    boolean freshPort(InetSocketAddress destination, ByteBuffer datagram);
  }

  /** Datagrams taken from the socket per wake-up before timers and other work get a turn. */
  private static final int RECEIVE_BATCH = 64;

  private static final int MAX_DATAGRAM = 65_535;

  private final DatagramEngine<E> engine;
  private final Consumer<? super E> listener;
  private final DatagramChannel channel;
  private final EventLoop loop;
  private final InetSocketAddress localAddress;
  private final ByteBuffer in = ByteBuffer.allocateDirect(MAX_DATAGRAM + 1);
  private final ByteBuffer out = ByteBuffer.allocateDirect(MAX_DATAGRAM);
  private final Duration closeTimeout;
  private final EngineDeadline deadline = new EngineDeadline();
  private SelectionKey key;
  private InetSocketAddress pendingDestination; // out holds a datagram the socket refused
  private final SourcePortPolicy freshPorts;
  private final long freshPortWindowMillis;
  private final int maxFreshPorts;
  private int openFreshPorts;
  private volatile boolean closed;

  private DatagramEndpoint(Builder<E> b) throws IOException {
    this.engine = b.engine;
    this.listener = b.listener;
    this.closeTimeout = b.closeTimeout;
    this.freshPorts = b.freshPorts;
    this.freshPortWindowMillis = b.freshPortWindow.toMillis();
    this.maxFreshPorts = b.maxFreshPorts;
    this.channel =
        DatagramChannel.open(
            b.bind.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET);
    try {
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.SO_REUSEADDR, b.reuseAddress);
      if (b.reusePort) {
        channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      }
      channel.setOption(StandardSocketOptions.SO_BROADCAST, b.broadcast);
      if (b.receiveBufferSize > 0) {
        channel.setOption(StandardSocketOptions.SO_RCVBUF, b.receiveBufferSize);
      }
      if (b.sendBufferSize > 0) {
        channel.setOption(StandardSocketOptions.SO_SNDBUF, b.sendBufferSize);
      }
      channel.bind(b.bind);
      this.localAddress = (InetSocketAddress) channel.getLocalAddress();
    } catch (IOException | RuntimeException e) {
      EventLoop.closeQuietly(channel);
      throw e;
    }
    String name = b.name != null ? b.name : "headend-udp-" + localAddress.getPort();
    this.loop = new EventLoop(name, b.clock, b.daemon);
  }

  /** A builder for an endpoint driving {@code engine}. */
  public static <E> Builder<E> builder(DatagramEngine<E> engine) {
    return new Builder<>(engine);
  }

  /** The bound address (with the real port when port 0 was asked for). */
  public InetSocketAddress localAddress() {
    return localAddress;
  }

  /**
   * Runs {@code task} on the endpoint's thread, then sends what the engine queued and delivers its
   * events. Safe from any thread.
   *
   * @return completes when the task has run (exceptionally if it threw)
   */
  public CompletableFuture<Void> execute(Runnable task) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (closed) {
      done.completeExceptionally(new IllegalStateException("endpoint closed"));
      return done;
    }
    boolean taken =
        loop.execute(
            () -> {
              try {
                task.run();
                done.complete(null);
              } catch (Throwable e) {
                done.completeExceptionally(e);
                if (EventLoop.fatal(e)) {
                  throw e;
                }
              }
              drive();
            });
    if (!taken) {
      done.completeExceptionally(new IllegalStateException("endpoint stopped"));
    }
    return done;
  }

  /**
   * Stops the thread and closes the socket. Datagrams the engine still had queued are dropped.
   * Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    loop.execute(() -> loop.stopWhen(() -> true, loop.nowMillis()));
    if (loop.inLoop()) {
      return; // called from a listener: the thread stops when the callback returns
    }
    try {
      if (!loop.awaitExit(closeTimeout.toMillis())) {
        EventLoop.LOG.log(Level.WARNING, loop.name() + ": did not stop in " + closeTimeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      EventLoop.closeQuietly(channel);
    }
  }

  private DatagramEndpoint<E> start() {
    loop.execute(
        () -> {
          try {
            key = loop.register(channel, SelectionKey.OP_READ, k -> onReady());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          drive();
        });
    loop.start();
    return this;
  }

  private void onReady() {
    if (key.isReadable()) {
      receive();
    }
    drive();
  }

  private void receive() {
    Instant now = loop.now(); // one reading per wake-up: these datagrams arrived together
    for (int i = 0; i < RECEIVE_BATCH; i++) {
      in.clear();
      SocketAddress from;
      try {
        from = channel.receive(in);
      } catch (IOException e) {
        EventLoop.LOG.log(Level.DEBUG, loop.name() + ": receive failed", e);
        return;
      }
      if (from == null) {
        return;
      }
      in.flip();
      if (in.remaining() > MAX_DATAGRAM) {
        continue; // cannot happen for UDP; never hand an engine a cut datagram
      }
      try {
        engine.handle(now, (InetSocketAddress) from, in);
      } catch (RuntimeException e) {
        EventLoop.LOG.log(
            Level.ERROR, loop.name() + ": engine failed on a datagram from " + from, e);
      }
    }
  }

  /** Sends what the engine has queued, delivers its events and re-arms its deadline. */
  private void drive() {
    if (!channel.isOpen()) {
      return;
    }
    flush();
    E event;
    while ((event = pollEvent()) != null) {
      try {
        listener.accept(event);
      } catch (Throwable e) {
        if (EventLoop.fatal(e)) {
          throw e;
        }
        EventLoop.LOG.log(Level.ERROR, loop.name() + ": event listener failed on " + event, e);
      }
    }
    flush(); // a listener may have called into the engine
    loop.schedule(deadline);
  }

  private E pollEvent() {
    try {
      return engine.pollEvent();
    } catch (RuntimeException e) {
      EventLoop.LOG.log(Level.ERROR, loop.name() + ": engine failed in pollEvent", e);
      return null;
    }
  }

  private void flush() {
    while (true) {
      if (pendingDestination == null) {
        out.clear();
        InetSocketAddress to;
        try {
          to = engine.pollTransmit(out);
        } catch (RuntimeException e) {
          EventLoop.LOG.log(Level.ERROR, loop.name() + ": engine failed in pollTransmit", e);
          to = null;
        }
        if (to == null) {
          break;
        }
        out.flip();
        if (freshPorts != null && openFreshPorts < maxFreshPorts && wantsFreshPort(to)) {
          sendFromFreshPort(to);
          continue;
        }
        pendingDestination = to;
      }
      try {
        if (channel.send(out, pendingDestination) == 0) {
          // socket buffer full: resume when writable, and read nothing meanwhile, so an engine
          // cannot pile up answers faster than they leave
          key.interestOps(SelectionKey.OP_WRITE);
          return;
        }
      } catch (IOException | RuntimeException e) {
        // an unreachable network, or a destination this socket cannot reach at all (an IPv6
        // address from an IPv4 socket): this datagram is dropped, the next ones still go
        EventLoop.LOG.log(
            Level.DEBUG, loop.name() + ": send to " + pendingDestination + " failed", e);
      }
      pendingDestination = null;
    }
    if (key != null && key.isValid()) {
      key.interestOps(SelectionKey.OP_READ);
    }
  }

  private boolean wantsFreshPort(InetSocketAddress to) {
    try {
      return freshPorts.freshPort(to, out.duplicate());
    } catch (RuntimeException e) {
      EventLoop.LOG.log(Level.ERROR, loop.name() + ": source port policy failed", e);
      return false;
    }
  }

  private void sendFromFreshPort(InetSocketAddress to) {
    DatagramChannel ch = null;
    try {
      ch =
          DatagramChannel.open(
              to.getAddress() instanceof Inet6Address
                  ? StandardProtocolFamily.INET6
                  : StandardProtocolFamily.INET);
      ch.configureBlocking(false);
      ch.bind(null); // the kernel picks a random free port
      ch.connect(to); // replies only from `to`
      ch.write(out);
      FreshPort port = new FreshPort(ch, to, loop.nowMillis() + freshPortWindowMillis);
      port.key = loop.register(ch, SelectionKey.OP_READ, k -> port.onReady());
      openFreshPorts++;
      loop.schedule(port);
    } catch (IOException | RuntimeException e) {
      EventLoop.LOG.log(
          Level.DEBUG, loop.name() + ": send to " + to + " from a fresh port failed", e);
      if (ch != null) {
        EventLoop.closeQuietly(ch);
      }
    }
  }

  /** A socket opened for one datagram, waiting for its reply. */
  private final class FreshPort extends EventLoop.Timed {
    private final DatagramChannel ch;
    private final InetSocketAddress peer;
    private final long expires;
    private SelectionKey key;
    private boolean done;

    FreshPort(DatagramChannel ch, InetSocketAddress peer, long expires) {
      this.ch = ch;
      this.peer = peer;
      this.expires = expires;
    }

    void onReady() {
      in.clear();
      int n;
      try {
        n = ch.read(in);
      } catch (IOException e) {
        close(); // ICMP port unreachable and the like: the engine's timeout handles it
        return;
      }
      if (n <= 0) {
        return;
      }
      in.flip();
      try {
        engine.handle(loop.now(), peer, in);
      } catch (RuntimeException e) {
        EventLoop.LOG.log(
            Level.ERROR, loop.name() + ": engine failed on a datagram from " + peer, e);
      }
      close();
      drive();
    }

    @Override
    long deadline() {
      return done ? Long.MAX_VALUE : expires;
    }

    @Override
    void fire(long nowMillis) {
      close();
    }

    private void close() {
      if (!done) {
        done = true;
        loop.cancel(this);
        openFreshPorts--;
        if (key != null) {
          key.cancel();
        }
        EventLoop.closeQuietly(ch);
      }
    }
  }

  /** The engine's own deadline, rounded up to the millisecond. */
  private final class EngineDeadline extends EventLoop.Timed {
    @Override
    long deadline() {
      try {
        return EventLoop.ceilMillis(engine.pollTimeout());
      } catch (RuntimeException e) {
        EventLoop.LOG.log(Level.ERROR, loop.name() + ": engine failed in pollTimeout", e);
        return Long.MAX_VALUE;
      }
    }

    @Override
    void fire(long nowMillis) {
      try {
        engine.handleTimeout(loop.now());
      } catch (RuntimeException e) {
        EventLoop.LOG.log(Level.ERROR, loop.name() + ": engine failed in handleTimeout", e);
      }
      drive();
    }
  }

  /**
   * Configures a {@link DatagramEndpoint}.
   *
   * @param <E> the engine's event type
   */
  public static final class Builder<E> {
    private final DatagramEngine<E> engine;
    private InetSocketAddress bind;
    private Consumer<? super E> listener = e -> {};
    private Clock clock = Clock.systemUTC();
    private boolean broadcast;
    private boolean reuseAddress;
    private boolean reusePort;
    private int receiveBufferSize;
    private int sendBufferSize;
    private boolean daemon;
    private String name;
    private Duration closeTimeout = Duration.ofSeconds(5);
    private SourcePortPolicy freshPorts;
    private Duration freshPortWindow = Duration.ofSeconds(10);
    private int maxFreshPorts = 4096;

    private Builder(DatagramEngine<E> engine) {
      this.engine = Objects.requireNonNull(engine, "engine");
    }

    /** Local address and port to bind (port 0 picks a free one). Required. */
    public Builder<E> bind(InetSocketAddress address) {
      this.bind = Objects.requireNonNull(address, "address");
      return this;
    }

    /** Receives the engine's events on the endpoint's thread. Default: events are discarded. */
    public Builder<E> onEvent(Consumer<? super E> listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** The clock the engine's time comes from. Default: {@link Clock#systemUTC()}. */
    public Builder<E> clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** SO_BROADCAST, needed to send to 255.255.255.255 (DHCP). Default: off. */
    public Builder<E> broadcast(boolean on) {
      this.broadcast = on;
      return this;
    }

    /** SO_REUSEADDR. Default: off. */
    public Builder<E> reuseAddress(boolean on) {
      this.reuseAddress = on;
      return this;
    }

    /**
     * SO_REUSEPORT: several endpoints (one thread and engine each) bind the same port and the
     * kernel spreads datagrams between them by source. Default: off.
     */
    public Builder<E> reusePort(boolean on) {
      this.reusePort = on;
      return this;
    }

    /** SO_RCVBUF in bytes; 0 keeps the system default. */
    public Builder<E> receiveBufferSize(int bytes) {
      this.receiveBufferSize = requireNonNegative(bytes);
      return this;
    }

    /** SO_SNDBUF in bytes; 0 keeps the system default. */
    public Builder<E> sendBufferSize(int bytes) {
      this.sendBufferSize = requireNonNegative(bytes);
      return this;
    }

    /** Whether the endpoint's thread is a daemon thread. Default: false. */
    public Builder<E> daemon(boolean on) {
      this.daemon = on;
      return this;
    }

    /** Name of the endpoint's thread. Default: {@code headend-udp-PORT}. */
    public Builder<E> name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Sends the datagrams {@code policy} picks from fresh random ports (see {@link
     * SourcePortPolicy}); at most {@code maxOpen} such sockets are open at once (past that,
     * datagrams leave from the bound socket) and each waits {@code replyWindow} for its reply.
     * Default: off.
     */
    public Builder<E> freshSourcePorts(SourcePortPolicy policy, Duration replyWindow, int maxOpen) {
      this.freshPorts = Objects.requireNonNull(policy, "policy");
      this.freshPortWindow = Objects.requireNonNull(replyWindow, "replyWindow");
      if (maxOpen < 1) {
        throw new IllegalArgumentException("maxOpen must be >= 1: " + maxOpen);
      }
      this.maxFreshPorts = maxOpen;
      return this;
    }

    /** How long {@link DatagramEndpoint#close()} waits for the thread. Default: 5 s. */
    public Builder<E> closeTimeout(Duration timeout) {
      this.closeTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Binds the socket and starts the thread.
     *
     * @throws IOException if the socket cannot be opened or bound
     */
    public DatagramEndpoint<E> start() throws IOException {
      if (bind == null) {
        throw new IllegalStateException("bind(address) is required");
      }
      return new DatagramEndpoint<>(this).start();
    }

    private static int requireNonNegative(int bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("must be >= 0: " + bytes);
      }
      return bytes;
    }
  }
}
