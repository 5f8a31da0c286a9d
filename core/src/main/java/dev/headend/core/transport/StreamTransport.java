package dev.headend.core.transport;

import dev.headend.core.StreamEngine;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives {@link StreamEngine}s over TCP connections, accepted ({@link #listen}) or made ({@link
 * #connect}), on a small fixed set of I/O threads.
 *
 * <p>What it guarantees, so that one bad peer never stalls the others:
 *
 * <ul>
 *   <li>All socket I/O is non-blocking; a connection is served on one I/O thread for its life.
 *   <li>At most {@code maxConnections} accepted connections are open at once; further ones are
 *       accepted and closed at once (the peer sees a close, not a hang).
 *   <li>A connection with no byte read or written for {@code idleTimeout} is closed.
 *   <li>Backpressure, not buffering: while output is waiting for a slow reader, or while the engine
 *       leaves input unconsumed, the connection's socket is not read. Each connection holds at most
 *       {@code readBufferSize} unconsumed input bytes and about 64 KiB of queued output.
 *   <li>An exception from an engine or handler closes that connection only (and is logged).
 *   <li>Each engine's own deadlines ({@link StreamEngine#pollTimeout()}) are honoured.
 *   <li>{@link #close()} stops accepting, stops reading, lets connections write what their engines
 *       already produced for up to {@code shutdownGrace}, then closes the rest and joins its
 *       threads.
 * </ul>
 *
 * <pre>{@code
 * try (StreamTransport tcp = StreamTransport.builder().idleTimeout(Duration.ofMinutes(5)).build()) {
 *   StreamListener l = tcp.listen(new InetSocketAddress("127.0.0.1", 2525), smtpHandler);
 *   ...
 * }
 * }</pre>
 */
public final class StreamTransport implements AutoCloseable {
  static final int MAX_QUEUED_OUTPUT = 64 * 1024;

  /** Per I/O thread state; touched only on that thread (except {@link #loop}). */
  static final class IoThread {
    final EventLoop loop;
    final ByteBuffer readBuffer;
    final Set<Connection<?, ?>> connections = new HashSet<>();
    final Set<Connection<?, ?>> connecting = new HashSet<>(); // outbound, not yet connected

    IoThread(EventLoop loop, int readBufferSize) {
      this.loop = loop;
      this.readBuffer = ByteBuffer.allocate(readBufferSize);
    }
  }

  private final IoThread[] threads;
  private final int maxConnections;
  final long idleTimeoutMillis;
  final int readBufferSize;
  final long shutdownGraceMillis;
  final long connectTimeoutMillis;
  private final AtomicInteger nextThread = new AtomicInteger();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong ids = new AtomicLong();
  private final List<ListenerImpl> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private StreamTransport(Builder b) {
    this.maxConnections = b.maxConnections;
    this.idleTimeoutMillis = millis(b.idleTimeout);
    this.readBufferSize = b.readBufferSize;
    this.shutdownGraceMillis = millis(b.shutdownGrace);
    this.connectTimeoutMillis = millis(b.connectTimeout);
    this.threads = new IoThread[b.ioThreads];
    for (int i = 0; i < threads.length; i++) {
      IoThread t =
          new IoThread(new EventLoop(b.name + "-io-" + i, b.clock, b.daemon), b.readBufferSize);
      // however the loop ends (shutdown, or a fatal error), its connections are closed and told
      t.loop.onExit(
          () -> {
            for (Connection<?, ?> c : new ArrayList<>(t.connecting)) {
              c.abandonConnect(new ClosedChannelException());
            }
            for (Connection<?, ?> c : new ArrayList<>(t.connections)) {
              c.closeNow(null);
            }
          });
      threads[i] = t;
    }
    for (IoThread t : threads) {
      t.loop.start();
    }
  }

  /** A builder with the defaults listed on its methods. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Listens on {@code address} and serves every accepted connection with an engine from {@code
   * handler}.
   *
   * @throws IOException if the address cannot be bound
   */
  public <E, S extends StreamEngine<E>> StreamListener listen(
      InetSocketAddress address, StreamHandler<E, S> handler) throws IOException {
    Objects.requireNonNull(handler, "handler");
    if (closed) {
      throw new IllegalStateException("transport closed");
    }
    ServerSocketChannel server = ServerSocketChannel.open();
    try {
      server.configureBlocking(false);
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      server.bind(address, 1024);
    } catch (IOException | RuntimeException e) {
      EventLoop.closeQuietly(server);
      throw e;
    }
    ListenerImpl listener = new ListenerImpl(server, threads[0].loop, handler);
    listeners.add(listener);
    threads[0].loop.execute(listener::register);
    return listener;
  }

  /**
   * Connects to {@code remote} and, once connected, serves the connection with an engine from
   * {@code handler}. Outbound connections do not count against {@code maxConnections}.
   *
   * @return completes with the connection once the engine is open, or exceptionally if the
   *     connection fails or does not complete within the connect timeout
   */
  public <E, S extends StreamEngine<E>> CompletableFuture<StreamConnection<S>> connect(
      InetSocketAddress remote, StreamHandler<E, S> handler) {
    Objects.requireNonNull(remote, "remote");
    Objects.requireNonNull(handler, "handler");
    CompletableFuture<StreamConnection<S>> result = new CompletableFuture<>();
    if (closed) {
      result.completeExceptionally(new IllegalStateException("transport closed"));
      return result;
    }
    SocketChannel channel;
    try {
      channel = SocketChannel.open();
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
    } catch (IOException e) {
      result.completeExceptionally(e);
      return result;
    }
    IoThread t = nextThread();
    boolean taken =
        t != null
            && t.loop.execute(
                () -> new Connection<>(this, t, channel, handler, false).connect(remote, result));
    if (!taken) {
      EventLoop.closeQuietly(channel);
      result.completeExceptionally(new IllegalStateException("transport closed"));
    }
    return result;
  }

  /** Connections open now, accepted and outbound. */
  public int connectionCount() {
    return open.get();
  }

  /** Connections accepted and closed at once because {@code maxConnections} were open. */
  public long refusedCount() {
    return refused.get();
  }

  /**
   * Stops accepting, asks every connection to finish writing and close, waits up to the shutdown
   * grace, closes what is left and joins the I/O threads. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (ListenerImpl l : listeners) {
      l.close();
    }
    for (IoThread t : threads) {
      t.loop.execute(
          () -> {
            long deadline = EventLoop.plus(t.loop.nowMillis(), shutdownGraceMillis);
            for (Connection<?, ?> c : new ArrayList<>(t.connecting)) {
              c.abandonConnect(new ClosedChannelException());
            }
            for (Connection<?, ?> c : new ArrayList<>(t.connections)) {
              c.shutdown(deadline);
            }
            t.loop.stopWhen(t.connections::isEmpty, deadline);
          });
    }
    for (IoThread t : threads) {
      if (t.loop.inLoop()) {
        return; // called from a handler: the threads stop once their callbacks return
      }
    }
    try {
      for (IoThread t : threads) {
        if (!t.loop.awaitExit(EventLoop.plus(shutdownGraceMillis, 5_000))) {
          EventLoop.LOG.log(Level.WARNING, t.loop.name() + ": did not stop in time");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Deadline entries queued on all I/O threads, each counted on its own thread (for tests). */
  int queuedTimers() throws InterruptedException, ExecutionException, TimeoutException {
    int total = 0;
    for (IoThread t : threads) {
      CompletableFuture<Integer> n = new CompletableFuture<>();
      if (t.loop.execute(() -> n.complete(t.loop.timerCount()))) {
        total += n.get(5, TimeUnit.SECONDS);
      }
    }
    return total;
  }

  long nextId() {
    return ids.incrementAndGet();
  }

  void opened() {
    open.incrementAndGet();
  }

  void closed(boolean inbound) {
    open.decrementAndGet();
    if (inbound) {
      accepted.decrementAndGet();
    }
  }

  boolean isClosed() {
    return closed;
  }

  /** The next live I/O thread, round robin; null if none is left. */
  private IoThread nextThread() {
    for (int i = 0; i < threads.length; i++) {
      IoThread t = threads[Math.floorMod(nextThread.getAndIncrement(), threads.length)];
      if (t.loop.isRunning()) {
        return t;
      }
    }
    return null;
  }

  private static long millis(Duration d) {
    return d.compareTo(Duration.ofDays(365L * 1000)) > 0 ? Long.MAX_VALUE : d.toMillis();
  }

  /** A listening socket; its accepts run on the first I/O thread. */
  private final class ListenerImpl implements StreamListener, EventLoop.Ready {
    private final ServerSocketChannel server;
    private final EventLoop loop;
    private final StreamHandler<?, ?> handler;
    private final InetSocketAddress localAddress;
    private final AcceptBackoff backoff = new AcceptBackoff();
    private SelectionKey key;

    ListenerImpl(ServerSocketChannel server, EventLoop loop, StreamHandler<?, ?> handler)
        throws IOException {
      this.server = server;
      this.loop = loop;
      this.handler = handler;
      this.localAddress = (InetSocketAddress) server.getLocalAddress();
    }

    void register() {
      try {
        key = loop.register(server, SelectionKey.OP_ACCEPT, this);
      } catch (IOException e) {
        EventLoop.LOG.log(Level.ERROR, "cannot register listener " + localAddress, e);
        close();
      }
    }

    @Override
    public void ready(SelectionKey k) {
      for (int i = 0; i < 64 && server.isOpen(); i++) {
        SocketChannel channel;
        try {
          channel = server.accept();
        } catch (IOException e) {
          if (!server.isOpen() || !key.isValid()) {
            return; // closed meanwhile
          }
          // typically out of file descriptors: stop accepting briefly instead of spinning
          EventLoop.LOG.log(Level.WARNING, "accept on " + localAddress + " failed; pausing", e);
          key.interestOps(0);
          backoff.until = loop.nowMillis() + 100;
          loop.schedule(backoff);
          return;
        }
        if (channel == null) {
          return;
        }
        if (closed || accepted.incrementAndGet() > maxConnections) {
          if (!closed) {
            accepted.decrementAndGet();
          }
          refused.incrementAndGet();
          EventLoop.closeQuietly(channel);
          continue;
        }
        try {
          channel.configureBlocking(false);
          channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException e) {
          accepted.decrementAndGet();
          EventLoop.closeQuietly(channel);
          continue;
        }
        IoThread t = nextThread();
        if (t == null) {
          accepted.decrementAndGet();
          EventLoop.closeQuietly(channel);
          continue;
        }
        @SuppressWarnings({"unchecked", "rawtypes"})
        Connection<?, ?> c = new Connection(StreamTransport.this, t, channel, handler, true);
        if (!t.loop.execute(c::accepted)) {
          accepted.decrementAndGet();
          EventLoop.closeQuietly(channel);
        }
      }
    }

    @Override
    public InetSocketAddress localAddress() {
      return localAddress;
    }

    @Override
    public void close() {
      listeners.remove(this);
      // close on the loop so the socket is released now, not at the loop's next wake-up
      CompletableFuture<Void> done = new CompletableFuture<>();
      boolean taken =
          loop.execute(
              () -> {
                if (key != null) {
                  key.cancel();
                }
                EventLoop.closeQuietly(server);
                try {
                  loop.selectNowForCancelledKeys();
                } finally {
                  done.complete(null);
                }
              });
      if (!taken) {
        EventLoop.closeQuietly(server);
        return;
      }
      if (!loop.inLoop()) {
        try {
          done.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
          EventLoop.closeQuietly(server);
        }
      }
    }

    private final class AcceptBackoff extends EventLoop.Timed {
      long until = Long.MAX_VALUE;

      @Override
      long deadline() {
        return until;
      }

      @Override
      void fire(long nowMillis) {
        until = Long.MAX_VALUE;
        if (key != null && key.isValid()) {
          key.interestOps(SelectionKey.OP_ACCEPT);
        }
      }
    }
  }

  /** Configures a {@link StreamTransport}. */
  public static final class Builder {
    private int ioThreads = 1;
    private int maxConnections = 1024;
    private Duration idleTimeout = Duration.ofMinutes(5);
    private int readBufferSize = 16 * 1024;
    private Duration shutdownGrace = Duration.ofSeconds(5);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Clock clock = Clock.systemUTC();
    private boolean daemon;
    private String name = "headend-tcp";

    private Builder() {}

    /** Number of I/O threads. Default: 1. */
    public Builder ioThreads(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("ioThreads must be >= 1: " + n);
      }
      this.ioThreads = n;
      return this;
    }

    /** Most accepted connections open at once. Default: 1024. */
    public Builder maxConnections(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxConnections must be >= 1: " + n);
      }
      this.maxConnections = n;
      return this;
    }

    /**
     * Close a connection after this long with no byte read or written; zero for never. Default: 5
     * minutes (the RFC 5321 §4.5.3.2 server timeout).
     */
    public Builder idleTimeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("idleTimeout must not be negative: " + timeout);
      }
      this.idleTimeout = timeout;
      return this;
    }

    /** Largest read, and most unconsumed input held per connection. Default: 16 KiB. */
    public Builder readBufferSize(int bytes) {
      if (bytes < 64) {
        throw new IllegalArgumentException("readBufferSize must be >= 64: " + bytes);
      }
      this.readBufferSize = bytes;
      return this;
    }

    /** How long close() lets connections finish writing. Default: 5 s. */
    public Builder shutdownGrace(Duration grace) {
      if (grace.isNegative()) {
        throw new IllegalArgumentException("shutdownGrace must not be negative: " + grace);
      }
      this.shutdownGrace = grace;
      return this;
    }

    /** How long {@link StreamTransport#connect} may take. Default: 10 s. */
    public Builder connectTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("connectTimeout must be positive: " + timeout);
      }
      this.connectTimeout = timeout;
      return this;
    }

    /** The clock engines' time comes from. Default: {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Whether the I/O threads are daemon threads. Default: false. */
    public Builder daemon(boolean on) {
      this.daemon = on;
      return this;
    }

    /** Prefix of the I/O thread names. Default: {@code headend-tcp}. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Starts the I/O threads. */
    public StreamTransport build() {
      return new StreamTransport(this);
    }
  }
}
