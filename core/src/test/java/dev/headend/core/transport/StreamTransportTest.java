package dev.headend.core.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The TCP adapter over real loopback sockets, with a toy line-echo engine. */
class StreamTransportTest {
  private static final InetSocketAddress ANY_LOOPBACK =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final BlockingQueue<Object> closes = new LinkedBlockingQueue<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  /** Echoes lines; "quit" says bye and closes; "boom" throws in the handler. */
  private class Echo implements StreamHandler<String, LineEchoEngine> {
    final Function<Instant, LineEchoEngine> engines;

    Echo(Function<Instant, LineEchoEngine> engines) {
      this.engines = engines;
    }

    @Override
    public LineEchoEngine open(StreamConnection<LineEchoEngine> c, Instant now) {
      return engines.apply(now);
    }

    @Override
    public void onEvent(StreamConnection<LineEchoEngine> c, String line) {
      switch (line) {
        case "quit" -> c.engine().quit("bye");
        case "boom" -> throw new IllegalStateException("handler bug");
        case "crash" -> throw new AssertionError("an Error, not an exception");
        default -> c.engine().reply("echo " + line);
      }
    }

    @Override
    public void onClose(StreamConnection<LineEchoEngine> c, Throwable cause) {
      closes.add(cause == null ? "orderly" : cause);
    }
  }

  private StreamTransport transport(StreamTransport.Builder b) {
    StreamTransport t = b.daemon(true).build();
    resources.add(t);
    return t;
  }

  private InetSocketAddress serve(StreamTransport t, StreamHandler<String, LineEchoEngine> h)
      throws IOException {
    return t.listen(ANY_LOOPBACK, h).localAddress();
  }

  private InetSocketAddress echoServer() throws IOException {
    return serve(transport(StreamTransport.builder()), new Echo(LineEchoEngine::simple));
  }

  /** A blocking line client with a read timeout so a broken server fails the test, not hangs it. */
  private final class Client implements AutoCloseable {
    final Socket socket;
    final BufferedReader in;
    final OutputStream out;

    Client(InetSocketAddress to) throws IOException {
      socket = new Socket();
      socket.connect(to, 5_000);
      socket.setSoTimeout(10_000);
      in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      out = socket.getOutputStream();
      resources.add(this);
    }

    void send(String s) throws IOException {
      out.write(s.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    String line() throws IOException {
      return in.readLine();
    }

    void expectEnd() throws IOException {
      assertNull(in.readLine(), "expected the server to close the connection");
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @Test
  void echoesLinesWhateverTheyAreSplitInto() throws Exception {
    Client c = new Client(echoServer());
    c.send("hel");
    Thread.sleep(30);
    c.send("lo\nwor");
    Thread.sleep(30);
    c.send("ld\n\nlast\n");
    assertEquals("echo hello", c.line());
    assertEquals("echo world", c.line());
    assertEquals("echo ", c.line());
    assertEquals("echo last", c.line());
    c.send("quit\n");
    assertEquals("bye", c.line());
    c.expectEnd();
    assertEquals("orderly", closes.poll(5, TimeUnit.SECONDS));
  }

  @Test
  void servesManyClientsAtOnceOnSeveralThreads() throws Exception {
    StreamTransport t = transport(StreamTransport.builder().ioThreads(3));
    InetSocketAddress at = serve(t, new Echo(LineEchoEngine::simple));
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < 48; i++) {
        int id = i;
        results.add(
            pool.submit(
                () -> {
                  try (Client c = new Client(at)) {
                    StringBuilder batch = new StringBuilder();
                    for (int k = 0; k < 200; k++) {
                      batch.append(id).append(':').append(k).append('\n');
                    }
                    c.send(batch.toString()); // pipelined
                    for (int k = 0; k < 200; k++) {
                      assertEquals("echo " + id + ":" + k, c.line());
                    }
                    return 200;
                  }
                }));
      }
      int total = 0;
      for (Future<Integer> f : results) {
        total += f.get(60, TimeUnit.SECONDS);
      }
      assertEquals(48 * 200, total);
    } finally {
      pool.shutdownNow();
    }
    awaitConnectionCount(t, 0);
    assertEquals(0, t.connectionCount(), "every connection closed when its client left");
  }

  @Test
  void refusesConnectionsBeyondTheLimitAndServesAgainWhenOneLeaves() throws Exception {
    StreamTransport t = transport(StreamTransport.builder().maxConnections(2));
    InetSocketAddress at = serve(t, new Echo(LineEchoEngine::simple));
    Client a = new Client(at);
    Client b = new Client(at);
    a.send("a\n");
    b.send("b\n");
    assertEquals("echo a", a.line());
    assertEquals("echo b", b.line());
    Client refused = new Client(at);
    refused.expectEnd();
    assertEquals(1, t.refusedCount());
    a.send("quit\n");
    assertEquals("bye", a.line());
    a.expectEnd();
    awaitConnectionCount(t, 1); // the slot frees once the server has processed the close
    Client c = new Client(at);
    c.send("c\n");
    assertEquals("echo c", c.line());
  }

  @Test
  void closesIdleConnections() throws Exception {
    StreamTransport t = transport(StreamTransport.builder().idleTimeout(Duration.ofMillis(300)));
    Client c = new Client(serve(t, new Echo(LineEchoEngine::simple)));
    c.send("x\n");
    assertEquals("echo x", c.line());
    long start = System.nanoTime();
    c.expectEnd();
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(waited >= 250 && waited < 5_000, "closed after " + waited + " ms");
    assertInstanceOf(InterruptedByTimeoutException.class, closes.poll(5, TimeUnit.SECONDS));
  }

  @Test
  void honoursTheEnginesOwnDeadline() throws Exception {
    StreamTransport t = transport(StreamTransport.builder().idleTimeout(Duration.ofMinutes(1)));
    InetSocketAddress at =
        serve(t, new Echo(now -> new LineEchoEngine(now, Duration.ofMillis(200), 1024, 64)));
    Client c = new Client(at);
    c.send("one\n");
    assertEquals("echo one", c.line());
    c.send("partial line, never finished");
    long start = System.nanoTime();
    assertEquals("timeout", c.line());
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(waited >= 150 && waited < 5_000, "engine deadline after " + waited + " ms");
    c.expectEnd();
  }

  @Test
  void aPeerThatNeverReadsStallsNobodyAndIsHeldToBoundedOutput() throws Exception {
    StreamTransport t = transport(StreamTransport.builder().readBufferSize(4096));
    InetSocketAddress at = serve(t, new Echo(LineEchoEngine::simple));
    Client hog = new Client(at);
    // The hog writes requests forever and never reads a reply. Once replies pile up the server
    // must stop reading it, so its writes stall; a server that kept reading would buffer replies
    // without bound.
    AtomicLong written = new AtomicLong();
    CompletableFuture<Void> hogDone =
        CompletableFuture.runAsync(
            () -> {
              byte[] chunk = "x".repeat(99).concat("\n").getBytes(StandardCharsets.UTF_8);
              try {
                while (written.get() < 4L * 1024 * 1024 * 1024) {
                  hog.out.write(chunk);
                  written.addAndGet(chunk.length);
                }
              } catch (IOException e) {
                // the test closes the hog's socket to end this loop
              }
            });
    Client polite = new Client(at);
    for (int i = 0; i < 50; i++) {
      long start = System.nanoTime();
      polite.send("ping " + i + "\n");
      assertEquals("echo ping " + i, polite.line());
      assertTrue(
          System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "the polite client waited");
    }
    long stalledAt = awaitStall(written);
    assertTrue(stalledAt < 64L * 1024 * 1024, "the server read " + stalledAt + " bytes");
    assertTrue(!hogDone.isDone(), "the hog's writes are blocked by backpressure");
    hog.close();
    hogDone.get(10, TimeUnit.SECONDS);
  }

  /** Waits until the counter stops moving for half a second; fails if it keeps moving. */
  private static long awaitStall(AtomicLong counter) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    long last = -1;
    while (System.nanoTime() < deadline) {
      long now = counter.get();
      if (now == last) {
        return now;
      }
      last = now;
      Thread.sleep(500);
    }
    throw new AssertionError("the writer never stalled: " + counter.get() + " bytes accepted");
  }

  @Test
  void aFailingHandlerClosesOnlyItsOwnConnection() throws Exception {
    InetSocketAddress at = echoServer();
    Client victim = new Client(at);
    Client bystander = new Client(at);
    victim.send("boom\n");
    victim.expectEnd();
    Object cause = closes.poll(5, TimeUnit.SECONDS);
    assertInstanceOf(IllegalStateException.class, cause);
    assertEquals("handler bug", ((Throwable) cause).getMessage());
    bystander.send("still fine\n");
    assertEquals("echo still fine", bystander.line());
  }

  @Test
  void anErrorInAHandlerClosesOnlyThatConnectionAndNoThreadDies() throws Exception {
    StreamTransport t = transport(StreamTransport.builder().ioThreads(2).maxConnections(8));
    InetSocketAddress at = serve(t, new Echo(LineEchoEngine::simple));
    for (int round = 0; round < 2; round++) { // each I/O thread gets a victim
      Client victim = new Client(at);
      victim.send("crash\n");
      victim.expectEnd();
      assertInstanceOf(AssertionError.class, closes.poll(5, TimeUnit.SECONDS));
    }
    for (int i = 0; i < 12; i++) { // more clients than the limit, one after another
      try (Client c = new Client(at)) {
        c.send("still alive " + i + "\n");
        assertEquals("echo still alive " + i, c.line());
      }
      awaitConnectionCount(t, 0);
    }
    assertEquals(0, t.refusedCount(), "every slot was given back");
  }

  @Test
  void closedConnectionsLeaveNoDeadlineBehind() throws Exception {
    StreamTransport t = transport(StreamTransport.builder().idleTimeout(Duration.ofMinutes(5)));
    InetSocketAddress at = serve(t, new Echo(LineEchoEngine::simple));
    for (int i = 0; i < 300; i++) {
      try (Client c = new Client(at)) {
        c.send("quit\n");
        assertEquals("bye", c.line());
      }
    }
    awaitConnectionCount(t, 0);
    assertTrue(t.queuedTimers() < 100, "queued deadlines: " + t.queuedTimers());
  }

  @Test
  void aConnectStillInProgressFailsWhenTheTransportCloses() throws Exception {
    try (ServerSocket deaf = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<java.nio.channels.SocketChannel> filler = new ArrayList<>();
      for (int i = 0; i < 4; i++) { // fill the accept queue so that later SYNs are dropped
        java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open();
        ch.configureBlocking(false);
        ch.connect(deaf.getLocalSocketAddress());
        filler.add(ch);
      }
      StreamTransport t =
          StreamTransport.builder().daemon(true).connectTimeout(Duration.ofMinutes(1)).build();
      CompletableFuture<StreamConnection<LineEchoEngine>> f =
          t.connect(
              (InetSocketAddress) deaf.getLocalSocketAddress(), new Echo(LineEchoEngine::simple));
      Thread.sleep(300);
      assertTrue(!f.isDone(), "the connect is pending");
      t.close();
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
      assertInstanceOf(java.nio.channels.ClosedChannelException.class, e.getCause());
      for (java.nio.channels.SocketChannel ch : filler) {
        ch.close();
      }
    }
  }

  @Test
  void closingAListenerReleasesItsPortAtOnce() throws Exception {
    StreamTransport t = transport(StreamTransport.builder());
    StreamListener l = t.listen(ANY_LOOPBACK, new Echo(LineEchoEngine::simple));
    InetSocketAddress at = l.localAddress();
    l.close();
    try (ServerSocket again = new ServerSocket()) {
      again.bind(at); // the transport is idle: nothing else would have woken its loop
      assertEquals(at.getPort(), again.getLocalPort());
    }
  }

  @Test
  void closingTheTransportFromAHandlerDoesNotStallIt() throws Exception {
    StreamTransport t = StreamTransport.builder().daemon(true).build();
    java.util.concurrent.atomic.AtomicLong tookNanos =
        new java.util.concurrent.atomic.AtomicLong(-1);
    InetSocketAddress at =
        t.listen(
                ANY_LOOPBACK,
                new Echo(LineEchoEngine::simple) {
                  @Override
                  public void onEvent(StreamConnection<LineEchoEngine> c, String line) {
                    if (line.equals("shutdown")) {
                      long start = System.nanoTime();
                      t.close();
                      tookNanos.set(System.nanoTime() - start);
                      c.engine().quit("closing");
                    } else {
                      super.onEvent(c, line);
                    }
                  }
                })
            .localAddress();
    Client c = new Client(at);
    c.send("shutdown\n");
    assertEquals("closing", c.line());
    c.expectEnd();
    assertTrue(
        tookNanos.get() >= 0 && tookNanos.get() < TimeUnit.MILLISECONDS.toNanos(500),
        "close took " + tookNanos.get() + " ns");
  }

  @Test
  void anIdleTimeoutOfForeverIsNotAnImmediateOne() throws Exception {
    StreamTransport t =
        transport(
            StreamTransport.builder()
                .idleTimeout(Duration.ofMillis(Long.MAX_VALUE))
                .shutdownGrace(Duration.ofDays(365 * 2000)));
    Client c = new Client(serve(t, new Echo(LineEchoEngine::simple)));
    Thread.sleep(300);
    c.send("still here\n");
    assertEquals("echo still here", c.line());
  }

  @Test
  void oversizedInputGetsAnErrorNotUnboundedBuffering() throws Exception {
    InetSocketAddress at =
        serve(
            transport(StreamTransport.builder()),
            new Echo(now -> new LineEchoEngine(now, null, 100, 64)));
    Client c = new Client(at);
    c.send("y".repeat(5000) + "\n");
    assertEquals("error: line too long", c.line());
    c.expectEnd();
  }

  @Test
  void decisionsMadeOnOtherThreadsComeBackThroughExecute() throws Exception {
    ExecutorService slowStore = Executors.newSingleThreadExecutor();
    try {
      StreamHandler<String, LineEchoEngine> async =
          new StreamHandler<>() {
            @Override
            public LineEchoEngine open(StreamConnection<LineEchoEngine> c, Instant now) {
              return new LineEchoEngine(now, null, 1024, 1); // one line at a time: pushback
            }

            @Override
            public void onEvent(StreamConnection<LineEchoEngine> c, String line) {
              slowStore.execute(
                  () -> {
                    sleep(20);
                    c.execute(() -> c.engine().reply("stored " + line));
                  });
            }
          };
      Client c = new Client(serve(transport(StreamTransport.builder()), async));
      c.send("a\nb\nc\nd\n"); // pipelined while each decision is pending
      for (String s : List.of("a", "b", "c", "d")) {
        assertEquals("stored " + s, c.line());
      }
    } finally {
      slowStore.shutdownNow();
    }
  }

  @Test
  void inputHeldBackUntilOutputIsTakenIsStillServed() throws Exception {
    StreamHandler<String, OneAtATimeEngine> handler =
        new StreamHandler<>() {
          @Override
          public OneAtATimeEngine open(StreamConnection<OneAtATimeEngine> c, Instant now) {
            return new OneAtATimeEngine();
          }

          @Override
          public void onEvent(StreamConnection<OneAtATimeEngine> c, String event) {}
        };
    Client c =
        new Client(
            transport(StreamTransport.builder()).listen(ANY_LOOPBACK, handler).localAddress());
    c.send("a\nb\nc\n"); // one write: the engine can take only "a" until its reply is taken
    assertEquals("done a", c.line());
    assertEquals("done b", c.line());
    assertEquals("done c", c.line());
  }

  @Test
  void answersAHalfClosedPeerThenCloses() throws Exception {
    Client c = new Client(echoServer());
    c.send("last words\n");
    c.socket.shutdownOutput();
    assertEquals("echo last words", c.line());
    c.expectEnd();
  }

  @Test
  void shutdownFlushesWhatWasProducedThenStopsEverything() throws Exception {
    StreamTransport t =
        StreamTransport.builder().daemon(true).shutdownGrace(Duration.ofSeconds(2)).build();
    BlockingQueue<StreamConnection<LineEchoEngine>> opened = new LinkedBlockingQueue<>();
    InetSocketAddress at =
        t.listen(
                ANY_LOOPBACK,
                new Echo(LineEchoEngine::simple) {
                  @Override
                  public LineEchoEngine open(StreamConnection<LineEchoEngine> c, Instant now) {
                    opened.add(c);
                    return super.open(c, now);
                  }
                })
            .localAddress();
    Client c = new Client(at);
    c.send("before\n");
    assertEquals("echo before", c.line());
    StreamConnection<LineEchoEngine> conn = opened.poll(5, TimeUnit.SECONDS);
    byte[] tail = "written during shutdown\n".getBytes(StandardCharsets.UTF_8);
    conn.execute(() -> conn.engine().write(ByteBuffer.wrap(tail)));
    long start = System.nanoTime();
    t.close();
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
    assertEquals("written during shutdown", c.line());
    c.expectEnd();
    assertEquals("orderly", closes.poll(5, TimeUnit.SECONDS));
    assertThrows(IOException.class, () -> new Socket().connect(at, 2_000), "listener closed");
    assertEquals(0, t.connectionCount());
    assertThrows(
        IllegalStateException.class,
        () -> t.listen(ANY_LOOPBACK, new Echo(LineEchoEngine::simple)));
  }

  @Test
  void connectsOutboundAndDrivesTheClientEngine() throws Exception {
    try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      StreamTransport t = transport(StreamTransport.builder());
      BlockingQueue<String> heard = new LinkedBlockingQueue<>();
      StreamHandler<String, LineEchoEngine> client =
          new StreamHandler<>() {
            @Override
            public LineEchoEngine open(StreamConnection<LineEchoEngine> c, Instant now) {
              LineEchoEngine e = LineEchoEngine.simple(now);
              e.write(ByteBuffer.wrap("hello server\n".getBytes(StandardCharsets.UTF_8)));
              return e;
            }

            @Override
            public void onEvent(StreamConnection<LineEchoEngine> c, String line) {
              heard.add(line);
              c.engine().quit("thanks");
            }
          };
      CompletableFuture<StreamConnection<LineEchoEngine>> f =
          t.connect((InetSocketAddress) peer.getLocalSocketAddress(), client);
      try (Socket s = peer.accept()) {
        s.setSoTimeout(10_000);
        BufferedReader r =
            new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("hello server", r.readLine());
        s.getOutputStream().write("hello client\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("thanks", r.readLine());
        assertNull(r.readLine());
      }
      StreamConnection<LineEchoEngine> conn = f.get(5, TimeUnit.SECONDS);
      assertEquals("hello client", heard.poll(5, TimeUnit.SECONDS));
      assertEquals(peer.getLocalPort(), conn.remoteAddress().getPort());
    }
  }

  @Test
  void aFailedConnectCompletesExceptionally() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    StreamTransport t = transport(StreamTransport.builder());
    CompletableFuture<StreamConnection<LineEchoEngine>> f =
        t.connect(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort),
            new Echo(LineEchoEngine::simple));
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    assertInstanceOf(ConnectException.class, e.getCause());
    assertEquals(0, t.connectionCount());
  }

  @Test
  void theSameHandlerInstanceSeesEachConnectionSeparately() throws Exception {
    InetSocketAddress at = echoServer();
    Client a = new Client(at);
    Client b = new Client(at);
    a.send("from a\n");
    b.send("from b\n");
    assertEquals("echo from b", b.line());
    assertEquals("echo from a", a.line());
    assertThrows(
        SocketTimeoutException.class,
        () -> {
          a.socket.setSoTimeout(200);
          a.line();
        },
        "nothing crosses over");
  }

  /** Waits up to 5 s for the transport's open connections to drop to {@code most}. */
  private static void awaitConnectionCount(StreamTransport t, int most)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (t.connectionCount() > most && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
