package dev.headend.cache.http.transport;

import dev.headend.cache.http.Decision;
import dev.headend.cache.http.HttpCache;
import dev.headend.cache.http.HttpFields;
import dev.headend.cache.http.HttpRequest;
import dev.headend.cache.http.HttpResponse;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP/1.1 caching reverse proxy in front of one origin, on JDK sockets: it reads requests,
 * asks an {@link HttpCache} what to do, talks to the origin when told to, and writes the answer.
 *
 * <p>Meant for tests and for users who want a cache in front of a service without a framework: a
 * thread per client connection (bounded), one origin connection per upstream exchange, whole
 * messages held in memory (bounded by {@link Builder#maxContentBytes}). Interim 1xx responses from
 * the origin are passed to the client and never stored. Stale-while-revalidate validations run on a
 * background thread, one at a time per URI.
 *
 * <pre>{@code
 * HttpCache cache = HttpCache.builder().build();
 * try (HttpCachingProxy proxy =
 *     HttpCachingProxy.builder(cache, new InetSocketAddress("127.0.0.1", 8000)).start()) {
 *   System.out.println("caching on port " + proxy.port());
 * }
 * }</pre>
 */
public final class HttpCachingProxy implements AutoCloseable {
  private static final Logger LOG = System.getLogger(HttpCachingProxy.class.getName());
  private static final Set<String> NO_BODY = Set.of("HEAD");

  private final HttpCache cache;
  private final InetSocketAddress origin;
  private final Clock clock;
  private final int maxHeadBytes;
  private final long maxContentBytes;
  private final int upstreamTimeoutMillis;
  private final int idleTimeoutMillis;
  private final ServerSocket server;
  private final ThreadPoolExecutor connections;
  private final ExecutorService background;
  private final Set<String> revalidating = ConcurrentHashMap.newKeySet();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private volatile boolean closed;

  private HttpCachingProxy(Builder b) throws IOException {
    this.cache = b.cache;
    this.origin = b.origin;
    this.clock = b.clock;
    this.maxHeadBytes = b.maxHeadBytes;
    this.maxContentBytes = b.maxContentBytes;
    this.upstreamTimeoutMillis = (int) b.upstreamTimeout.toMillis();
    this.idleTimeoutMillis = (int) b.idleTimeout.toMillis();
    this.server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(b.bind, 128);
    AtomicInteger n = new AtomicInteger();
    this.connections =
        new ThreadPoolExecutor(
            0,
            b.maxConnections,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> daemon(r, "headend-http-cache-conn-" + n.incrementAndGet()));
    this.background =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(1024),
            r -> daemon(r, "headend-http-cache-revalidate"),
            new ThreadPoolExecutor.DiscardPolicy());
    this.acceptor = daemon(this::acceptLoop, "headend-http-cache-accept");
    acceptor.start();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /**
   * A builder for a proxy that caches with {@code cache} in front of {@code origin}.
   *
   * @param cache the caching engine
   * @param origin where cache misses and validations go
   */
  public static Builder builder(HttpCache cache, InetSocketAddress origin) {
    return new Builder(cache, origin);
  }

  /** The port the proxy listens on. */
  public int port() {
    return server.getLocalPort();
  }

  /** The address the proxy listens on. */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  /** Stops accepting, closes every client connection and waits briefly for handlers to end. */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "closing the listening socket", e);
    }
    for (Socket s : open) {
      closeQuietly(s);
    }
    connections.shutdownNow();
    background.shutdownNow();
    try {
      connections.awaitTermination(5, TimeUnit.SECONDS);
      acceptor.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        if (!closed) {
          LOG.log(Level.WARNING, "accept failed", e);
        }
        continue;
      }
      try {
        open.add(s);
        connections.execute(() -> serve(s));
      } catch (RejectedExecutionException e) {
        // Every handler is busy: refuse this client rather than queue it without bound.
        open.remove(s);
        try (OutputStream out = s.getOutputStream()) {
          HttpResponse busy = plain(503, "too many connections");
          writeResponse(out, busy.withFields(busy.fields().with("Retry-After", "1")), false, true);
        } catch (IOException io) {
          LOG.log(Level.DEBUG, "refusing a connection", io);
        }
        closeQuietly(s);
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      socket.setSoTimeout(idleTimeoutMillis);
      socket.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = new BufferedOutputStream(socket.getOutputStream());
      while (!closed) {
        if (!exchange(in, out)) {
          return;
        }
      }
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "client connection ended", e);
    } finally {
      open.remove(socket);
    }
  }

  /** One request and its response; false when the connection should close. */
  private boolean exchange(InputStream in, OutputStream out) throws IOException {
    byte[] headBytes;
    try {
      headBytes = Http1.readHead(in, maxHeadBytes);
    } catch (Http1.HeadTooLargeException e) {
      writeResponse(out, plain(431, e.getMessage()), false, true);
      return false;
    }
    if (headBytes == null) {
      return false;
    }
    Http1.RequestHead head;
    byte[] body;
    HttpRequest request;
    try {
      head = Http1.parseRequestHead(headBytes, headBytes.length);
      body = Http1.readBody(in, Http1.framing(head.fields(), true), maxContentBytes);
      request = toRequest(head);
    } catch (MalformedHttpMessageException e) {
      writeResponse(out, plain(400, e.getMessage()), false, true);
      return false;
    } catch (Http1.BodyTooLargeException e) {
      writeResponse(out, plain(413, e.getMessage()), false, true);
      return false;
    }
    boolean keepAlive = keepAlive(head.minorVersion(), head.fields());
    Decision decision = cache.lookup(request, clock.instant());
    HttpResponse response;
    if (decision.action() == Decision.Action.SERVE) {
      response = decision.response();
      decision.background().ifPresent(this::revalidateLater);
    } else {
      response = upstream(decision, body, out);
    }
    writeResponse(out, response, NO_BODY.contains(head.method()), !keepAlive);
    return keepAlive;
  }

  private HttpRequest toRequest(Http1.RequestHead head) throws MalformedHttpMessageException {
    String target = head.target();
    URI uri;
    try {
      if (target.startsWith("/")) {
        String host = head.fields().first("Host").orElse(null);
        if (host == null || head.fields().all("Host").size() != 1) {
          throw new MalformedHttpMessageException("a request needs exactly one Host field", 0);
        }
        uri = new URI("http://" + host + target);
      } else {
        uri = new URI(target);
      }
      return new HttpRequest(head.method(), uri, head.fields());
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new MalformedHttpMessageException("bad request target: " + e.getMessage(), 0);
    }
  }

  private static boolean keepAlive(int minor, HttpFields f) {
    for (String c : f.members("Connection")) {
      if (c.equalsIgnoreCase("close")) {
        return false;
      }
      if (c.equalsIgnoreCase("keep-alive")) {
        return true;
      }
    }
    return minor == 1;
  }

  private void revalidateLater(Decision d) {
    String key = d.request().uri().toString();
    if (!revalidating.add(key)) {
      return;
    }
    try {
      background.execute(
          () -> {
            try {
              upstream(d, new byte[0], null);
            } finally {
              revalidating.remove(key);
            }
          });
    } catch (RejectedExecutionException e) {
      revalidating.remove(key);
    }
  }

  /** Sends the decision's request to the origin; interim responses go to {@code client}. */
  private HttpResponse upstream(Decision decision, byte[] body, OutputStream client) {
    HttpRequest up = decision.upstreamRequest();
    Instant sent = clock.instant();
    try (Socket s = new Socket()) {
      s.connect(origin, upstreamTimeoutMillis);
      s.setSoTimeout(upstreamTimeoutMillis);
      OutputStream o = new BufferedOutputStream(s.getOutputStream());
      URI uri = up.uri();
      String target =
          (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
              + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      HttpFields.Builder f =
          up.fields().toBuilder().remove("Host").remove("Content-Length").remove("Connection");
      f.add("Host", uri.getRawAuthority()).add("Connection", "close");
      if (body.length > 0 || !up.method().equals("GET") && !up.method().equals("HEAD")) {
        f.add("Content-Length", Integer.toString(body.length));
      }
      Http1.writeHead(o, up.method() + " " + target + " HTTP/1.1", f.build());
      o.write(body);
      o.flush();
      InputStream in = new BufferedInputStream(s.getInputStream());
      while (true) {
        byte[] headBytes = Http1.readHead(in, maxHeadBytes);
        if (headBytes == null) {
          throw new IOException("origin closed the connection without a response");
        }
        Http1.ResponseHead head = Http1.parseResponseHead(headBytes, headBytes.length);
        if (head.status() < 200) {
          if (client != null && head.status() != 101) {
            Http1.writeHead(
                client, "HTTP/1.1 " + head.status() + " " + head.reason(), head.fields());
            client.flush();
          }
          continue;
        }
        long framing = Http1.framing(head.fields(), false);
        boolean noContent =
            up.method().equals("HEAD") || head.status() == 204 || head.status() == 304;
        byte[] content = noContent ? new byte[0] : Http1.readBody(in, framing, maxContentBytes);
        // Content-Length is the transport's to write; a bodiless answer keeps the origin's.
        HttpFields fields = noContent ? head.fields() : head.fields().without("Content-Length");
        HttpResponse response = new HttpResponse(head.status(), head.reason(), fields, content);
        return cache.complete(decision, response, sent, clock.instant());
      }
    } catch (IOException | MalformedHttpMessageException | UncheckedIOException e) {
      LOG.log(Level.DEBUG, "upstream exchange failed: " + decision, e);
      return cache.fail(decision, clock.instant());
    }
  }

  private static void writeResponse(
      OutputStream out, HttpResponse r, boolean headRequest, boolean close) throws IOException {
    HttpFields.Builder f = r.fields().toBuilder().remove("Transfer-Encoding").remove("Connection");
    boolean bodyless = r.status() < 200 || r.status() == 204 || r.status() == 304;
    if (!headRequest) {
      f.remove("Content-Length");
      if (!bodyless) {
        f.add("Content-Length", Integer.toString(r.contentLength()));
      }
    }
    if (close) {
      f.add("Connection", "close");
    }
    String reason = r.reason().isEmpty() ? HttpResponse.reasonPhrase(r.status()) : r.reason();
    Http1.writeHead(out, "HTTP/1.1 " + r.status() + " " + reason, f.build());
    if (!headRequest && !bodyless) {
      byte[] content = r.contentBytes();
      out.write(content);
    }
    out.flush();
  }

  private static HttpResponse plain(int status, String text) {
    return HttpResponse.of(
        status, HttpFields.of("Content-Type", "text/plain; charset=utf-8"), text + "\n");
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "closing a socket", e);
    }
  }

  /** Configures an {@link HttpCachingProxy}. */
  public static final class Builder {
    private final HttpCache cache;
    private final InetSocketAddress origin;
    private InetSocketAddress bind = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private Clock clock = Clock.systemUTC();
    private int maxHeadBytes = 16 * 1024;
    private long maxContentBytes = 32L << 20;
    private Duration upstreamTimeout = Duration.ofSeconds(30);
    private Duration idleTimeout = Duration.ofSeconds(60);
    private int maxConnections = 256;

    private Builder(HttpCache cache, InetSocketAddress origin) {
      this.cache = Objects.requireNonNull(cache, "cache");
      this.origin = Objects.requireNonNull(origin, "origin");
    }

    /** Where to listen; default an ephemeral port on loopback. */
    public Builder bind(InetSocketAddress address) {
      this.bind = Objects.requireNonNull(address, "address");
      return this;
    }

    /** The clock for request and response times; default UTC system clock. */
    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    /** The longest request or response head accepted (default 16 KiB; longer gets 431). */
    public Builder maxHeadBytes(int max) {
      if (max < 256) {
        throw new IllegalArgumentException("maxHeadBytes must be at least 256, was " + max);
      }
      this.maxHeadBytes = max;
      return this;
    }

    /** The largest request or response content held in memory (default 32 MiB). */
    public Builder maxContentBytes(long max) {
      if (max < 0 || max > Integer.MAX_VALUE - 16) {
        throw new IllegalArgumentException("maxContentBytes out of range: " + max);
      }
      this.maxContentBytes = max;
      return this;
    }

    /** Connect and read timeout towards the origin (default 30 s). */
    public Builder upstreamTimeout(Duration timeout) {
      this.upstreamTimeout = positive(timeout);
      return this;
    }

    /** How long an idle client connection is kept (default 60 s). */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = positive(timeout);
      return this;
    }

    /** Concurrent client connections; more are answered 503 and closed (default 256). */
    public Builder maxConnections(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxConnections must be positive, was " + max);
      }
      this.maxConnections = max;
      return this;
    }

    private static Duration positive(Duration d) {
      if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("timeout out of range: " + d);
      }
      return d;
    }

    /**
     * Binds and starts accepting.
     *
     * @throws IOException if the address cannot be bound
     */
    public HttpCachingProxy start() throws IOException {
      return new HttpCachingProxy(this);
    }
  }
}
