package dev.headend.core.transport;

import dev.headend.core.StreamEngine;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * One TCP connection and its engine. Everything here runs on the connection's I/O thread except the
 * public {@link #execute} and {@link #close}, which hand work to it.
 */
final class Connection<E, S extends StreamEngine<E>> extends EventLoop.Timed
    implements StreamConnection<S>, EventLoop.Ready {
  private static final int MAX_PUMP_ROUNDS = 16;
  private static final int WRITE_BATCH = 16;

  private final StreamTransport transport;
  private final StreamTransport.IoThread io;
  private final EventLoop loop;
  private final SocketChannel channel;
  private final StreamHandler<E, S> handler;
  private final boolean inbound;
  private final long id;
  private final ArrayDeque<ByteBuffer> output = new ArrayDeque<>();
  private final ByteBuffer[] writeBatch = new ByteBuffer[WRITE_BATCH];
  private volatile InetSocketAddress remote;
  private volatile InetSocketAddress local;
  private volatile boolean closed;
  private SelectionKey key;
  private S engine;
  private ByteBuffer pendingInput; // input the engine left unconsumed, or null
  private long queuedOutput;
  private boolean inputEnded;
  private boolean endDelivered;
  private boolean closeRequested;
  private long lastActivity;
  private long graceDeadline = Long.MAX_VALUE;
  private long connectDeadline = Long.MAX_VALUE;
  private CompletableFuture<StreamConnection<S>> connecting;

  Connection(
      StreamTransport transport,
      StreamTransport.IoThread io,
      SocketChannel channel,
      StreamHandler<E, S> handler,
      boolean inbound) {
    this.transport = transport;
    this.io = io;
    this.loop = io.loop;
    this.channel = channel;
    this.handler = handler;
    this.inbound = inbound;
    this.id = transport.nextId();
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /** An accepted connection arrives on its I/O thread. */
  void accepted() {
    transport.opened();
    io.connections.add(this);
    try {
      key = loop.register(channel, 0, this);
      addresses();
    } catch (IOException e) {
      closeNow(e);
      return;
    }
    if (transport.isClosed()) {
      closeNow(null);
      return;
    }
    openEngine();
  }

  /** Starts an outbound connection. */
  void connect(InetSocketAddress remoteAddress, CompletableFuture<StreamConnection<S>> result) {
    connecting = result;
    remote = remoteAddress;
    if (transport.isClosed()) {
      connectFailed(new ClosedChannelException());
      return;
    }
    io.connecting.add(this);
    try {
      key = loop.register(channel, 0, this);
      if (channel.connect(remoteAddress)) {
        connected();
      } else {
        key.interestOps(SelectionKey.OP_CONNECT);
        connectDeadline = EventLoop.plus(loop.nowMillis(), transport.connectTimeoutMillis);
        loop.schedule(this);
      }
    } catch (IOException | RuntimeException e) {
      connectFailed(e);
    }
  }

  /** Gives up an outbound connection still being made (the transport is closing). */
  void abandonConnect(Exception reason) {
    if (connecting != null) {
      connectFailed(reason);
    }
  }

  private void connected() throws IOException {
    addresses();
    connectDeadline = Long.MAX_VALUE;
    io.connecting.remove(this);
    CompletableFuture<StreamConnection<S>> result = connecting;
    connecting = null;
    transport.opened();
    io.connections.add(this);
    openEngine();
    if (engine != null && !closed) {
      result.complete(this);
    } else {
      result.completeExceptionally(new IOException("connection closed while its engine opened"));
    }
  }

  private void connectFailed(Exception e) {
    closed = true;
    io.connecting.remove(this);
    loop.cancel(this);
    if (key != null) {
      key.cancel();
    }
    EventLoop.closeQuietly(channel);
    CompletableFuture<StreamConnection<S>> result = connecting;
    connecting = null;
    if (result != null) {
      result.completeExceptionally(e);
    }
  }

  private void addresses() throws IOException {
    remote = (InetSocketAddress) channel.getRemoteAddress();
    local = (InetSocketAddress) channel.getLocalAddress();
  }

  private void openEngine() {
    lastActivity = loop.nowMillis();
    try {
      S e = handler.open(this, loop.now());
      if (e == null) {
        throw new NullPointerException("StreamHandler.open returned null");
      }
      engine = e;
    } catch (Throwable e) {
      EventLoop.LOG.log(Level.WARNING, this + ": handler failed to open an engine", e);
      closeNow(e);
      if (EventLoop.fatal(e)) {
        throw e;
      }
      return;
    }
    pump();
  }

  /** Transport shutdown: stop reading, finish writing by {@code deadline}, close. */
  void shutdown(long deadline) {
    graceDeadline = Math.min(graceDeadline, deadline);
    closeRequested = true;
    pump();
  }

  /** Closes the socket now and tells the handler. Idempotent. */
  void closeNow(Throwable cause) {
    if (closed) {
      return;
    }
    closed = true;
    loop.cancel(this);
    if (key != null) {
      key.cancel();
    }
    EventLoop.closeQuietly(channel);
    io.connections.remove(this);
    transport.closed(inbound);
    output.clear();
    pendingInput = null;
    if (engine != null) {
      try {
        handler.onClose(this, cause);
      } catch (Throwable e) {
        if (EventLoop.fatal(e)) {
          throw e;
        }
        EventLoop.LOG.log(Level.WARNING, this + ": onClose failed", e);
      }
    }
  }

  private void fail(Throwable cause) {
    if (EventLoop.fatal(cause)) {
      closeNow(cause);
      throw (Error) cause; // the JVM is in trouble: the loop ends, its exit closes the rest
    }
    if (cause instanceof IOException) {
      EventLoop.LOG.log(Level.DEBUG, this + ": I/O failed", cause);
    } else {
      EventLoop.LOG.log(Level.WARNING, this + ": engine or handler failed; closing", cause);
    }
    closeNow(cause);
  }

  // ---- readiness and timers -------------------------------------------------------------------

  @Override
  public void ready(SelectionKey k) {
    if (closed) {
      return;
    }
    try {
      if (k.isConnectable()) {
        if (channel.finishConnect()) {
          connected();
        }
        return;
      }
      if (k.isReadable()) {
        read();
      }
    } catch (IOException e) {
      if (connecting != null) {
        connectFailed(e);
      } else {
        fail(e);
      }
      return;
    } catch (Throwable e) {
      fail(e);
      return;
    }
    pump();
  }

  @Override
  long deadline() {
    if (closed) {
      return Long.MAX_VALUE;
    }
    if (connecting != null) {
      return connectDeadline;
    }
    long d = graceDeadline;
    if (transport.idleTimeoutMillis > 0) {
      d = Math.min(d, EventLoop.plus(lastActivity, transport.idleTimeoutMillis));
    }
    if (engine != null) {
      try {
        d = Math.min(d, EventLoop.ceilMillis(engine.pollTimeout()));
      } catch (Throwable e) {
        loop.execute(() -> fail(e));
      }
    }
    return d;
  }

  @Override
  void fire(long now) {
    if (closed) {
      return;
    }
    if (connecting != null) {
      if (now >= connectDeadline) {
        connectFailed(
            new ConnectException(
                "connect to "
                    + remote
                    + " timed out after "
                    + transport.connectTimeoutMillis
                    + " ms"));
      }
      return;
    }
    if (now >= graceDeadline) {
      closeNow(null);
      return;
    }
    if (transport.idleTimeoutMillis > 0
        && now >= EventLoop.plus(lastActivity, transport.idleTimeoutMillis)) {
      EventLoop.LOG.log(Level.DEBUG, this + ": idle timeout");
      closeNow(new InterruptedByTimeoutException());
      return;
    }
    try {
      engine.handleTimeout(loop.now());
    } catch (Throwable e) {
      fail(e);
      return;
    }
    pump();
  }

  // ---- moving bytes ---------------------------------------------------------------------------

  private void read() throws IOException {
    ByteBuffer target = pendingInput != null ? pendingInput : io.readBuffer.clear();
    int n = channel.read(target);
    if (n < 0) {
      inputEnded = true;
      return;
    }
    if (n == 0) {
      return;
    }
    lastActivity = loop.nowMillis();
    if (target == io.readBuffer) {
      target.flip();
      engine.receive(loop.now(), target);
      if (target.hasRemaining()) {
        pendingInput = ByteBuffer.allocate(transport.readBufferSize).put(target);
      }
    }
  }

  /**
   * Lets the engine consume buffered input and raise events until nothing moves, writes its output,
   * then closes or re-arms interest and the deadline.
   */
  private void pump() {
    if (closed || engine == null) {
      return;
    }
    try {
      boolean progress = true;
      int rounds = 0;
      while (progress && rounds++ < MAX_PUMP_ROUNDS) {
        progress = false;
        if (pendingInput != null && !closeRequested) {
          pendingInput.flip();
          int before = pendingInput.remaining();
          engine.receive(loop.now(), pendingInput);
          progress = pendingInput.remaining() != before;
          pendingInput = pendingInput.hasRemaining() ? pendingInput.compact() : null;
        }
        if (inputEnded && !endDelivered && pendingInput == null) {
          endDelivered = true;
          engine.endOfInput();
          progress = true;
        }
        E event;
        while ((event = engine.nextEvent()) != null) {
          handler.onEvent(this, event);
          if (closed) {
            return;
          }
          progress = true;
        }
        // taking output can end an engine's pushback, so buffered input deserves another offer
        if (flush() && pendingInput != null) {
          progress = true;
        }
      }
      if (progress) {
        loop.execute(this::pump); // more to do; let other connections have a turn first
      }
    } catch (Throwable e) {
      fail(e);
      return;
    }
    if (closed) {
      return;
    }
    if ((closeRequested || engine.isClosed()) && output.isEmpty()) {
      closeNow(null);
      return;
    }
    int ops = 0;
    if (!output.isEmpty()) {
      ops = SelectionKey.OP_WRITE;
    } else if (!inputEnded
        && !closeRequested
        && (pendingInput == null || pendingInput.hasRemaining())) {
      ops = SelectionKey.OP_READ;
    }
    key.interestOps(ops);
    loop.schedule(this);
  }

  /** Writes what the engine has produced; returns whether any output was taken from it. */
  private boolean flush() throws IOException {
    boolean took = false;
    while (true) {
      ByteBuffer next;
      while (queuedOutput < StreamTransport.MAX_QUEUED_OUTPUT
          && (next = engine.pollOutput()) != null) {
        took = true;
        if (next.hasRemaining()) {
          output.addLast(next);
          queuedOutput += next.remaining();
        }
      }
      if (output.isEmpty()) {
        return took;
      }
      int k = 0;
      for (ByteBuffer b : output) {
        writeBatch[k++] = b;
        if (k == WRITE_BATCH) {
          break;
        }
      }
      long n = channel.write(writeBatch, 0, k);
      Arrays.fill(writeBatch, 0, k, null);
      if (n > 0) {
        lastActivity = loop.nowMillis();
        queuedOutput -= n;
      }
      while (!output.isEmpty() && !output.peekFirst().hasRemaining()) {
        output.pollFirst();
      }
      if (!output.isEmpty()) {
        return took; // the socket is full; OP_WRITE brings us back
      }
    }
  }

  // ---- StreamConnection -----------------------------------------------------------------------

  @Override
  public long id() {
    return id;
  }

  @Override
  public S engine() {
    return engine;
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return remote;
  }

  @Override
  public InetSocketAddress localAddress() {
    return local;
  }

  @Override
  public boolean isOpen() {
    return !closed;
  }

  @Override
  public void execute(Runnable task) {
    loop.execute(
        () -> {
          if (closed || engine == null) {
            return;
          }
          try {
            task.run();
          } catch (Throwable e) {
            fail(e);
            return;
          }
          pump();
        });
  }

  @Override
  public void close() {
    loop.execute(
        () -> {
          if (!closed) {
            shutdown(EventLoop.plus(loop.nowMillis(), transport.shutdownGraceMillis));
          }
        });
  }

  @Override
  public String toString() {
    return "connection " + id + " " + (inbound ? "from " : "to ") + remote;
  }
}
