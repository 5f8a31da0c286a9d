package dev.headend.cache.http.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.cache.http.HttpCache;
import dev.headend.cache.http.HttpDates;
import dev.headend.testkit.FreePorts;
import dev.headend.testkit.Proc;
import dev.headend.testkit.RequiresPeer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * curl through {@link HttpCachingProxy} in front of Python's http.server, a real origin that sends
 * Last-Modified (so heuristic freshness applies) and answers If-Modified-Since with 304.
 */
@Tag("interop")
@RequiresPeer(value = "curl", install = "apt-get install -y curl")
@RequiresPeer(value = "python3", install = "apt-get install -y python3")
class CurlInteropTest {
  private static final Pattern ORIGIN_LOG =
      Pattern.compile("\"(GET|HEAD) /page.txt HTTP/1.1\" (\\d+)");

  @TempDir Path dir;

  @Test
  void curlThroughTheProxyAgainstPythonHttpServer() throws Exception {
    Path page = dir.resolve("page.txt");
    Files.writeString(page, "version 1\n");
    Files.setLastModifiedTime(page, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
    InetSocketAddress originAddress = FreePorts.loopback();
    try (Proc.Running origin =
            Proc.start(
                "python3",
                "-u",
                "-m",
                "http.server",
                Integer.toString(originAddress.getPort()),
                "--bind",
                "127.0.0.1",
                "--directory",
                dir.toString());
        HttpCachingProxy proxy =
            HttpCachingProxy.builder(HttpCache.builder().build(), originAddress).start()) {
      awaitListening(originAddress);
      String url = "http://127.0.0.1:" + proxy.port() + "/page.txt";

      Curl first = curl(url);
      assertEquals(200, first.status);
      assertEquals("version 1\n", first.body);
      Curl second = curl(url);
      assertEquals("version 1\n", second.body);
      assertTrue(second.headers.matches("(?is).*\\nAge: \\d+.*"), second.headers);
      assertOriginRequests(origin, 1);

      Curl head = curl("-I", url);
      assertEquals(200, head.status);
      assertTrue(head.headers.contains("Content-Length: 10"), head.headers);
      Curl range = curl("-r", "0-3", url);
      assertEquals(206, range.status);
      assertEquals("vers", range.body);
      Curl conditional = curl("-z", HttpDates.format(Instant.now().minusSeconds(60)), url);
      assertEquals(304, conditional.status);
      assertOriginRequests(origin, 1);

      // Revalidation against an unchanged file: Python answers 304, curl still gets the 200.
      Curl revalidated = curl("-H", "Cache-Control: no-cache", url);
      assertEquals(200, revalidated.status);
      assertEquals("version 1\n", revalidated.body);
      assertOriginRequests(origin, 2);
      assertTrue(origin.stderr().contains("\"GET /page.txt HTTP/1.1\" 304"), origin.stderr());

      // The file changes: a no-cache request fetches and stores the new version.
      Files.writeString(page, "version 2, longer\n");
      Files.setLastModifiedTime(page, FileTime.from(Instant.now().minus(Duration.ofMinutes(30))));
      Curl changed = curl("-H", "Cache-Control: no-cache", url);
      assertEquals("version 2, longer\n", changed.body);
      Curl cached = curl(url);
      assertEquals("version 2, longer\n", cached.body);
      assertOriginRequests(origin, 3);
    }
  }

  private static void awaitListening(InetSocketAddress address) throws Exception {
    for (int i = 0; i < 100; i++) {
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(address, 200);
        return;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("python http.server did not start on " + address);
  }

  /** Python logs after answering and our reader lags a little: wait for the count to settle. */
  private static void assertOriginRequests(Proc.Running origin, int expected) throws Exception {
    for (int i = 0; i < 50 && originRequests(origin) < expected; i++) {
      Thread.sleep(100);
    }
    Thread.sleep(200);
    assertEquals(expected, originRequests(origin), origin.stderr());
  }

  private static int originRequests(Proc.Running origin) {
    Matcher m = ORIGIN_LOG.matcher(origin.stderr());
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  record Curl(int status, String headers, String body) {}

  private Curl curl(String... args) throws IOException {
    Path headers = Files.createTempFile(dir, "h", ".txt");
    String[] cmd = new String[args.length + 6];
    cmd[0] = "curl";
    cmd[1] = "-sS";
    cmd[2] = "--max-time";
    cmd[3] = "10";
    cmd[4] = "-D";
    cmd[5] = headers.toString();
    System.arraycopy(args, 0, cmd, 6, args.length);
    Proc.Result r = Proc.run(Duration.ofSeconds(20), cmd).assertSuccess();
    String h = Files.readString(headers, StandardCharsets.ISO_8859_1);
    Matcher status = Pattern.compile("^HTTP/1\\.1 (\\d{3})").matcher(h);
    assertTrue(status.find(), h);
    return new Curl(Integer.parseInt(status.group(1)), h, r.stdout());
  }
}
