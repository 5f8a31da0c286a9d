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
import java.util.List;
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
  private final InterfaceBinding boundInterface;
  private final Main main;
  private final java.util.Set<Session<?>> sessions = new java.util.HashSet<>();
  private final int maxSessions;
  private volatile int sessionCount;
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
    this.maxSessions = b.maxSessions;
    this.boundInterface = b.boundInterface == null ? null : InterfaceBinding.of(b.boundInterface);
    this.channel = openChannel(b.bind.getAddress());
    EventLoop eventLoop = null;
    try {
      if (boundInterface != null) {
        boundInterface.tie(channel);
      }
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
      String name = b.name != null ? b.name : "headend-udp-" + localAddress.getPort();
      eventLoop = new EventLoop(name, b.clock, b.daemon);
    } catch (IOException | RuntimeException e) {
      EventLoop.closeQuietly(channel);
      throw e;
    }
    this.loop = eventLoop;
    this.main = new Main();
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
              main.drive();
            });
    if (!taken) {
      done.completeExceptionally(new IllegalStateException("endpoint stopped"));
    }
    return done;
  }

  /**
   * Stops the thread and closes the socket. Each open session's engine is told first ({@link
   * DatagramEngine#shutdown}), and what it then queues is sent and its events delivered; datagrams
   * the main engine still had queued are dropped. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    loop.execute(
        () -> {
          for (Session<?> s : List.copyOf(sessions)) {
            s.shutdown();
          }
          loop.stopWhen(() -> true, loop.nowMillis());
        });
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
            main.key = loop.register(channel, SelectionKey.OP_READ, k -> main.onReady());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          main.drive();
        });
    loop.start();
    return this;
  }

  /**
   * Drives {@code sessionEngine} on a socket of its own, bound to this endpoint's address with a
   * port the kernel picks, on this endpoint's thread: a protocol whose every exchange gets a fresh
   * port (TFTP's transfer IDs, RFC 1350 §4). The session socket is not connected, so the engine
   * also hears datagrams from other sources and can answer them. The session ends, and its socket
   * closes, after a turn in which the engine has nothing left to send and no deadline; or when the
   * endpoint closes.
   *
   * <p>Call on the endpoint's thread: from its event listener or a task given to {@link #execute}.
   *
   * @return the session socket's local address
   * @throws IOException if no socket could be opened (the engine is then not driven)
   * @throws IllegalStateException if called from another thread, or when {@code maxSessions} are
   *     open
   */
  public <S> InetSocketAddress openSession(
      DatagramEngine<S> sessionEngine, Consumer<? super S> sessionListener) throws IOException {
    Objects.requireNonNull(sessionEngine, "sessionEngine");
    Objects.requireNonNull(sessionListener, "sessionListener");
    if (!loop.inLoop()) {
      throw new IllegalStateException("openSession must be called on the endpoint's thread");
    }
    if (closed) {
      throw new IllegalStateException("endpoint closed");
    }
    if (sessions.size() >= maxSessions) {
      throw new IllegalStateException(maxSessions + " sessions already open");
    }
    DatagramChannel ch = openChannel(localAddress.getAddress());
    try {
      if (boundInterface != null) {
        boundInterface.tie(ch);
      }
      ch.bind(new InetSocketAddress(localAddress.getAddress(), 0));
      Session<S> s = new Session<>(ch, sessionEngine, sessionListener);
      s.key = loop.register(ch, SelectionKey.OP_READ, k -> s.onReady());
      sessions.add(s);
      sessionCount = sessions.size();
      s.drive();
      return (InetSocketAddress) ch.getLocalAddress();
    } catch (IOException | RuntimeException e) {
      EventLoop.closeQuietly(ch);
      throw e;
    }
  }

  /** Sessions open now (see {@link #openSession}). Safe from any thread; a snapshot. */
  public int openSessions() {
    return sessionCount;
  }

  private static DatagramChannel openChannel(java.net.InetAddress address) throws IOException {
    DatagramChannel ch =
        DatagramChannel.open(
            address instanceof Inet6Address
                ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET);
    ch.configureBlocking(false);
    return ch;
  }

  /**
   * One socket and the engine it feeds: receives in batches, sends what the engine queues (waiting
   * for the socket when it is full), delivers events and keeps the engine's deadline.
   */
  private abstract class Driven<X> extends EventLoop.Timed {
    final DatagramChannel ch;
    final DatagramEngine<X> eng;
    final Consumer<? super X> events;
    SelectionKey key;
    private InetSocketAddress pendingDestination; // out holds a datagram the socket refused

    Driven(DatagramChannel ch, DatagramEngine<X> eng, Consumer<? super X> events) {
      this.ch = ch;
      this.eng = eng;
      this.events = events;
    }

    /** Whether the datagram in {@code out} for {@code to} was sent some other way. */
    boolean divert(InetSocketAddress to) {
      return false;
    }

    /** Whether the socket talks with one peer that waits for each answer (a session). */
    boolean lockStep() {
      return false;
    }

    /** After a turn: keep the deadline, or end. */
    void afterDrive() {
      loop.schedule(this);
    }

    final void onReady() {
      if (key.isValid() && key.isReadable()) {
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
          from = ch.receive(in);
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
          eng.handle(now, (InetSocketAddress) from, in);
        } catch (RuntimeException e) {
          EventLoop.LOG.log(
              Level.ERROR, loop.name() + ": engine failed on a datagram from " + from, e);
        }
        if (lockStep()) {
          // one peer that waits for each answer (a TFTP transfer): answer at once, and if there
          // was an answer, the next datagram can only come after it, so wait for its wake-up
          // instead of making a receive call that finds nothing. The main socket instead hands
          // the engine the whole batch first, so that work per batch (a DHCP server's fsync
          // before its ACKs) is shared by every datagram in it.
          if (flush() || sending()) {
            return;
          }
        }
      }
    }

    /** Sends what the engine has queued, delivers its events and re-arms its deadline. */
    final void drive() {
      if (!ch.isOpen()) {
        return;
      }
      flush();
      X event;
      while ((event = pollEvent()) != null) {
        try {
          events.accept(event);
        } catch (Throwable e) {
          if (EventLoop.fatal(e)) {
            throw e;
          }
          EventLoop.LOG.log(Level.ERROR, loop.name() + ": event listener failed on " + event, e);
        }
      }
      flush(); // a listener may have called into the engine
      afterDrive();
    }

    private X pollEvent() {
      try {
        return eng.pollEvent();
      } catch (RuntimeException e) {
        EventLoop.LOG.log(Level.ERROR, loop.name() + ": engine failed in pollEvent", e);
        return null;
      }
    }

    boolean sending() {
      return pendingDestination != null;
    }

    /** Sends what the engine has queued; whether anything was sent. */
    private boolean flush() {
      boolean sent = false;
      while (true) {
        if (pendingDestination == null) {
          out.clear();
          InetSocketAddress to;
          try {
            to = eng.pollTransmit(out);
          } catch (RuntimeException e) {
            EventLoop.LOG.log(Level.ERROR, loop.name() + ": engine failed in pollTransmit", e);
            to = null;
          }
          if (to == null) {
            break;
          }
          out.flip();
          if (divert(to)) {
            continue;
          }
          pendingDestination = to;
        }
        try {
          if (ch.send(out, pendingDestination) == 0) {
            // socket buffer full: resume when writable, and read nothing meanwhile, so an engine
            // cannot pile up answers faster than they leave
            key.interestOps(SelectionKey.OP_WRITE);
            return sent;
          }
          sent = true;
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
      return sent;
    }

    @Override
    long deadline() {
      try {
        return EventLoop.ceilMillis(eng.pollTimeout());
      } catch (RuntimeException e) {
        EventLoop.LOG.log(Level.ERROR, loop.name() + ": engine failed in pollTimeout", e);
        return Long.MAX_VALUE;
      }
    }

    @Override
    void fire(long nowMillis) {
      try {
        eng.handleTimeout(loop.now());
      } catch (RuntimeException e) {
        EventLoop.LOG.log(Level.ERROR, loop.name() + ": engine failed in handleTimeout", e);
      }
      drive();
    }
  }

  /** The endpoint's own socket and engine. */
  private final class Main extends Driven<E> {
    Main() {
      super(channel, engine, listener);
    }

    @Override
    boolean divert(InetSocketAddress to) {
      if (freshPorts != null && openFreshPorts < maxFreshPorts && wantsFreshPort(to)) {
        sendFromFreshPort(to);
        return true;
      }
      return false;
    }
  }

  /** A socket opened by {@link #openSession}, closed when its engine is done. */
  private final class Session<S> extends Driven<S> {
    private boolean ended;

    Session(DatagramChannel ch, DatagramEngine<S> eng, Consumer<? super S> events) {
      super(ch, eng, events);
    }

    @Override
    boolean lockStep() {
      return true;
    }

    @Override
    void afterDrive() {
      if (!sending() && deadline() == Long.MAX_VALUE) {
        end();
      } else {
        loop.schedule(this);
      }
    }

    @Override
    long deadline() {
      return ended ? Long.MAX_VALUE : super.deadline();
    }

    /** The endpoint closes: the engine says its last words, then the socket closes. */
    void shutdown() {
      try {
        eng.shutdown(loop.now());
      } catch (RuntimeException e) {
        EventLoop.LOG.log(Level.ERROR, loop.name() + ": engine failed in shutdown", e);
      }
      drive();
      end();
    }

    void end() {
      if (!ended) {
        ended = true;
        loop.cancel(this);
        sessions.remove(this);
        sessionCount = sessions.size();
        if (key != null) {
          key.cancel();
        }
        EventLoop.closeQuietly(ch);
      }
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
      ch = openChannel(to.getAddress());
      if (boundInterface != null) {
        boundInterface.tie(ch);
      }
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
      main.drive();
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
    private int maxSessions = 1024;
    private String boundInterface;

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

    /**
     * Ties the socket (and its sessions' and fresh ports' sockets) to the network interface named
     * {@code name} (e.g. {@code eth1}; one without addresses too), Linux {@code SO_BINDTOIFINDEX}:
     * it receives only what arrives there, 255.255.255.255 broadcasts included, and sends out of
     * it. This is how a DHCP server on {@code 0.0.0.0:67} serves one link of several, and several
     * servers share port 67, one per link. Needs Linux 5.0 (and CAP_NET_RAW before 5.7). Java has
     * no API for it, so the JVM needs {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED} ({@code
     * =dev.headend.core} on the module path); {@link #start()} throws {@link
     * UnsupportedOperationException} saying so otherwise, and off Linux. Default: none (every
     * interface).
     *
     * @throws IllegalArgumentException if {@code name} cannot be an interface name
     */
    public Builder<E> bindToInterface(String name) {
      this.boundInterface = InterfaceBinding.checkName(Objects.requireNonNull(name, "name"));
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

    /** The most sessions ({@link DatagramEndpoint#openSession}) open at once. Default: 1024. */
    public Builder<E> maxSessions(int max) {
      if (max < 0) {
        throw new IllegalArgumentException("maxSessions must be >= 0: " + max);
      }
      this.maxSessions = max;
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
     * @throws IOException if the socket cannot be opened or bound, or the interface of {@link
     *     #bindToInterface} does not exist or cannot be bound to
     * @throws UnsupportedOperationException if {@link #bindToInterface} cannot be honoured here
     *     (not Linux, or the JVM does not open {@code java.base/sun.nio.ch})
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
