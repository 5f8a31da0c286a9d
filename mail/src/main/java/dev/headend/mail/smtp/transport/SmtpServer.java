package dev.headend.mail.smtp.transport;

import dev.headend.core.transport.StreamConnection;
import dev.headend.core.transport.StreamHandler;
import dev.headend.core.transport.StreamListener;
import dev.headend.core.transport.StreamTransport;
import dev.headend.mail.message.MessageStore;
import dev.headend.mail.smtp.Envelope;
import dev.headend.mail.smtp.MessageMemory;
import dev.headend.mail.smtp.SmtpEvent;
import dev.headend.mail.smtp.SmtpReply;
import dev.headend.mail.smtp.SmtpServerConfig;
import dev.headend.mail.smtp.SmtpServerEngine;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * An SMTP server on TCP: {@link SmtpServerEngine}s driven by the core {@link StreamTransport},
 * storing every accepted message into a {@link MessageStore}.
 *
 * <pre>{@code
 * SmtpServerConfig config = SmtpServerConfig.builder("mx.example.test")
 *     .localDomains("example.test").build();
 * try (SmtpServer smtp = SmtpServer.builder(config, MessageStore.maildir(Path.of("mail")))
 *         .bind(new InetSocketAddress("127.0.0.1", 2526)).start()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>No message is lost: a message is written to the store through {@link MessageStore#appendAsync}
 * (on a worker thread, never on an I/O thread; a {@link MessageStore#segmentLog} uses its own
 * writer thread instead), one copy per recipient mailbox with a {@code Return-Path} header (RFC
 * 5321 §4.4), and the client's {@code 250} is sent only after every copy has been stored. If
 * storing fails the client gets {@code 451 4.3.0} and keeps the message. Meanwhile that connection
 * reads nothing more; others go on.
 *
 * <p>TLS: with {@link Builder#tls(SSLContext)} and {@link SmtpServerConfig#startTls()} the server
 * offers STARTTLS; with {@link SmtpServerConfig#implicitTls()} every connection starts with a TLS
 * handshake (port 465, RFC 8314). Both use the JDK's {@link javax.net.ssl.SSLEngine}.
 */
public final class SmtpServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(SmtpServer.class.getName());

  private final SmtpServerConfig config;
  private final MessageStore store;
  private final SSLContext tls;
  private final Function<String, String> mailboxOf;
  private final Clock clock;
  private final StreamTransport transport;
  private final ExecutorService storeThreads;
  private final Executor tlsTasks;
  private final ExecutorService ownTlsThreads; // null when the embedder gave the executor
  private final StreamListener listener;

  private SmtpServer(Builder b) throws IOException {
    this.config = b.config;
    this.store = b.store;
    this.tls = b.tls;
    this.mailboxOf = b.mailboxOf;
    this.clock = b.clock;
    this.storeThreads = daemonPool(b.storeThreads, "store", Integer.MAX_VALUE);
    if (b.tlsTasks != null) {
      this.ownTlsThreads = null;
      this.tlsTasks = b.tlsTasks;
    } else if (b.tls != null) {
      // an open connection has at most one batch of tasks queued; closed ones' are dropped unrun
      this.ownTlsThreads =
          daemonPool(
              Runtime.getRuntime().availableProcessors(), "tls", Math.max(1, b.maxConnections));
      this.tlsTasks = ownTlsThreads;
    } else {
      this.ownTlsThreads = null;
      this.tlsTasks = null;
    }
    this.transport =
        StreamTransport.builder()
            .ioThreads(b.ioThreads)
            .maxConnections(b.maxConnections)
            .idleTimeout(b.idleTimeout)
            .clock(b.clock)
            .name("headend-smtp")
            .build();
    try {
      this.listener = transport.listen(b.address, new Handler());
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * A fixed pool of daemon threads named {@code headend-smtp-<what>-<n>}, idle ones let go, with
   * room for {@code queue} waiting tasks (more are rejected).
   */
  private static ExecutorService daemonPool(int threads, String what, int queue) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(queue),
            r -> {
              Thread t = new Thread(r, "headend-smtp-" + what + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** A builder for a server with {@code config} storing into {@code store}. */
  public static Builder builder(SmtpServerConfig config, MessageStore store) {
    return new Builder(config, store);
  }

  /** Where it listens (with the actual port when bound to port 0). */
  public InetSocketAddress address() {
    return listener.localAddress();
  }

  /** Connections open now. */
  public int connectionCount() {
    return transport.connectionCount();
  }

  /** Stops accepting, lets connections finish writing, stops the store threads. */
  @Override
  public void close() {
    transport.close();
    if (ownTlsThreads != null) {
      ownTlsThreads.shutdownNow(); // no connection is left to finish a handshake
    }
    storeThreads.shutdown();
    try {
      if (!storeThreads.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.log(Level.WARNING, "message store still busy after 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The mailboxes a message goes to: one per distinct mapped recipient. */
  private Set<String> mailboxes(Envelope envelope) {
    Set<String> boxes = new LinkedHashSet<>();
    for (String r : envelope.recipients()) {
      boxes.add(mailboxOf.apply(r));
    }
    return boxes;
  }

  /**
   * Hands every copy to the store; the engine learns the outcome on the connection's thread once
   * all of them are durable (or one failed).
   */
  private void store(StreamConnection<TlsSession> connection, SmtpEvent.MessageReceived m) {
    Envelope envelope = m.envelope();
    MessageMemory.Hold memory = m.memory();
    List<CompletableFuture<MessageStore.StoredMessage>> copies = new ArrayList<>();
    try {
      byte[] returnPath =
          ("Return-Path: <" + envelope.sender() + ">\r\n").getBytes(StandardCharsets.UTF_8);
      byte[] content = new byte[returnPath.length + m.content().length];
      System.arraycopy(returnPath, 0, content, 0, returnPath.length);
      System.arraycopy(m.content(), 0, content, returnPath.length, m.content().length);
      for (String box : mailboxes(envelope)) {
        copies.add(store.appendAsync(box, content, storeThreads));
      }
    } catch (RuntimeException e) {
      // a mailbox mapping or name refused, or shutting down: nothing more is started
      copies.add(CompletableFuture.failedFuture(e));
    } catch (Error e) {
      memory.release();
      throw e;
    }
    // the lambda keeps neither the event nor its content: only what the store holds stays
    CompletableFuture.allOf(copies.toArray(new CompletableFuture<?>[0]))
        .whenComplete(
            (ok, failure) -> {
              memory.release(); // stored or not, the content is no longer needed
              if (failure == null) {
                connection.execute(() -> accepted(connection, envelope, copies));
              } else {
                connection.execute(() -> notStored(connection, envelope, failure));
              }
            });
  }

  private void accepted(
      StreamConnection<TlsSession> connection,
      Envelope envelope,
      List<CompletableFuture<MessageStore.StoredMessage>> copies) {
    connection.engine().smtp().messageAccepted(clock.instant(), envelope.id());
    LOG.log(
        Level.DEBUG,
        () ->
            "stored " + envelope.id() + " as " + copies.stream().map(c -> c.join().id()).toList());
  }

  private void notStored(
      StreamConnection<TlsSession> connection, Envelope envelope, Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof RejectedExecutionException) {
      connection
          .engine()
          .smtp()
          .messageRejected(clock.instant(), SmtpReply.of(421, "4.3.2", "Error: shutting down"));
      return;
    }
    LOG.log(Level.WARNING, "cannot store message " + envelope.id(), cause);
    connection
        .engine()
        .smtp()
        .messageRejected(
            clock.instant(),
            SmtpReply.of(451, "4.3.0", "Error: cannot store the message; try later"));
  }

  private final class Handler implements StreamHandler<SmtpEvent, TlsSession> {
    @Override
    public TlsSession open(StreamConnection<TlsSession> connection, Instant now) {
      SmtpServerEngine smtp =
          SmtpServerEngine.open(config, connection.remoteAddress(), "c" + connection.id(), now);
      return new TlsSession(
          smtp, tls, config.implicitTls(), now, tlsTasks, connection::execute, connection::isOpen);
    }

    @Override
    public void onEvent(StreamConnection<TlsSession> connection, SmtpEvent event) {
      if (event instanceof SmtpEvent.MessageReceived m) {
        store(connection, m);
      }
      // StartTls is handled by the TlsSession itself
    }

    @Override
    public void onClose(StreamConnection<TlsSession> connection, Throwable cause) {
      TlsSession session = connection.engine();
      if (session != null) {
        session.smtp().connectionClosed(); // its message memory goes back to the server
      }
    }
  }

  /** Builds and starts an {@link SmtpServer}. */
  public static final class Builder {
    private final SmtpServerConfig config;
    private final MessageStore store;
    private InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private SSLContext tls;
    private Function<String, String> mailboxOf = r -> r.toLowerCase(Locale.ROOT);
    private Clock clock = Clock.systemUTC();
    private Executor tlsTasks;
    private int ioThreads = 1;
    private int storeThreads = 16;
    private int maxConnections = 1024;
    private Duration idleTimeout = Duration.ofMinutes(10);

    private Builder(SmtpServerConfig config, MessageStore store) {
      this.config = Objects.requireNonNull(config, "config");
      this.store = Objects.requireNonNull(store, "store");
    }

    /** Where to listen (default: loopback, any free port). */
    public Builder bind(InetSocketAddress address) {
      this.address = Objects.requireNonNull(address, "address");
      return this;
    }

    /** The server certificate and key for STARTTLS and implicit TLS. */
    public Builder tls(SSLContext context) {
      this.tls = Objects.requireNonNull(context, "context");
      return this;
    }

    /**
     * Where TLS handshake tasks run: the key exchange and signatures, milliseconds of CPU per
     * handshake that would otherwise stall every connection of the I/O thread (default: a pool of
     * as many threads as processors, started with the server when it has TLS).
     */
    public Builder tlsTasks(Executor executor) {
      this.tlsTasks = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Maps a recipient to its mailbox (default: the address in lower case). */
    public Builder mailboxOf(Function<String, String> mapping) {
      this.mailboxOf = Objects.requireNonNull(mapping, "mapping");
      return this;
    }

    /** The clock (default: system UTC). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** I/O threads (default 1). */
    public Builder ioThreads(int n) {
      this.ioThreads = n;
      return this;
    }

    /**
     * Threads writing to the store (default 16: they mostly wait for the disk, and the maildir
     * store commits the directory entries of concurrent appends together).
     */
    public Builder storeThreads(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("storeThreads must be at least 1");
      }
      this.storeThreads = n;
      return this;
    }

    /** Most connections at once (default 1024). */
    public Builder maxConnections(int n) {
      this.maxConnections = n;
      return this;
    }

    /**
     * A connection with no traffic at all for this long is closed (default 10 minutes; the engine's
     * own command and data timeouts are shorter).
     */
    public Builder idleTimeout(Duration d) {
      this.idleTimeout = Objects.requireNonNull(d, "idleTimeout");
      return this;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException if the address cannot be bound
     * @throws IllegalStateException if the configuration wants TLS and no context was given
     */
    public SmtpServer start() throws IOException {
      if ((config.startTls() || config.implicitTls()) && tls == null) {
        throw new IllegalStateException("STARTTLS or implicit TLS needs tls(SSLContext)");
      }
      return new SmtpServer(this);
    }
  }
}
