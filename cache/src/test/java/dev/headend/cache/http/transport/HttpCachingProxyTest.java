package dev.headend.cache.http.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.cache.http.HttpCache;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy keeps serving while clients misbehave, and refuses malformed messages clearly. */
class HttpCachingProxyTest {
  private ServerSocket origin;
  private final AtomicInteger originHits = new AtomicInteger();
  private HttpCachingProxy proxy;

  /** A minimal origin: every request gets a cacheable "hello". */
  @BeforeEach
  void start() throws IOException {
    origin = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    Thread t =
        new Thread(
            () -> {
              while (!origin.isClosed()) {
                try (Socket s = origin.accept()) {
                  Http1.readHead(s.getInputStream(), 8192);
                  originHits.incrementAndGet();
                  s.getOutputStream()
                      .write(
                          ("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n"
                                  + "Content-Length: 5\r\n\r\nhello")
                              .getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                  // The test closed the origin (the loop ends) or one exchange broke (next one).
                  continue;
                }
              }
            });
    t.setDaemon(true);
    t.start();
    proxy =
        HttpCachingProxy.builder(
                HttpCache.builder().build(), (InetSocketAddress) origin.getLocalSocketAddress())
            .idleTimeout(Duration.ofSeconds(2))
            .maxHeadBytes(1024)
            .start();
  }

  @AfterEach
  void stop() throws IOException {
    proxy.close();
    origin.close();
  }

  private String exchange(String request) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void servesSecondRequestFromCache() throws IOException {
    String get = "GET /x HTTP/1.1\r\nHost: o.test\r\nConnection: close\r\n\r\n";
    assertTrue(exchange(get).startsWith("HTTP/1.1 200 "));
    String second = exchange(get);
    assertTrue(second.contains("\r\nAge: "), second);
    assertTrue(second.endsWith("hello"), second);
    assertEquals(1, originHits.get());
  }

  @Test
  void keepAliveCarriesSeveralRequests() throws IOException {
    String get = "GET /k HTTP/1.1\r\nHost: o.test\r\n\r\n";
    String last = "GET /k HTTP/1.1\r\nHost: o.test\r\nConnection: close\r\n\r\n";
    String all = exchange(get + get + last);
    assertEquals(3, all.split("HTTP/1.1 200 ", -1).length - 1, all);
  }

  @Test
  void malformedRequestsGetTypedErrors() throws IOException {
    assertTrue(exchange("GET /x HTTP/1.1\r\nBad Name: x\r\n\r\n").startsWith("HTTP/1.1 400 "));
    assertTrue(exchange("GET /x HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 400 "), "no Host");
    assertTrue(
        exchange(
                "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n")
            .startsWith("HTTP/1.1 400 "));
    assertTrue(
        exchange("GET /x HTTP/1.1\r\nHost: h\r\nX: " + "a".repeat(2000) + "\r\n\r\n")
            .startsWith("HTTP/1.1 431 "));
  }

  @Test
  void aStalledClientDoesNotBlockOthers() throws IOException {
    try (Socket stalled = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      stalled.getOutputStream().write("GET /s HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
      String other = exchange("GET /y HTTP/1.1\r\nHost: o.test\r\nConnection: close\r\n\r\n");
      assertTrue(other.startsWith("HTTP/1.1 200 "), other);
      stalled.setSoTimeout(5000);
      assertEquals(-1, stalled.getInputStream().read(), "idle timeout closes the stalled one");
    }
  }

  @Test
  void unreachableOriginGives502() throws IOException {
    origin.close();
    String r = exchange("GET /down HTTP/1.1\r\nHost: o.test\r\nConnection: close\r\n\r\n");
    assertTrue(r.startsWith("HTTP/1.1 502 "), r);
  }
}
