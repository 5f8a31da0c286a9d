package dev.headend.tftp.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.testkit.Proc;
import dev.headend.testkit.RequiresPeer;
import dev.headend.tftp.TftpFiles;
import dev.headend.tftp.TftpServer;
import dev.headend.tftp.TransferEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** tftp-hpa's tftp, atftp and curl, as independent clients, against our server on loopback. */
@Tag("interop")
@RequiresPeer(value = "tftp", install = "apt-get install -y tftp-hpa")
@RequiresPeer(value = "atftp", install = "apt-get install -y atftp")
@RequiresPeer(value = "curl", install = "apt-get install -y curl")
class TftpClientsInteropTest {
  /** Past 65535 blocks of 512 bytes (32 MiB), so block numbers wrap. */
  static final int BIG = 34_000_000;

  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(120);
  @TempDir static Path dir;
  static Path root;
  static TftpServerTransport server;
  static int port;
  static final List<TransferEvent> outcomes = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    root = Files.createDirectory(dir.resolve("root"));
    for (int size : new int[] {0, 511, 512, 513, 100_000, BIG}) {
      Files.write(root.resolve("f" + size), bytes(size, size));
    }
    Files.writeString(root.resolve("text.txt"), "one\ntwo\r\nthree\n");
    Files.writeString(dir.resolve("secret"), "secret");
    TftpServer engine =
        TftpServer.builder(TftpFiles.directory(root).allowWrites(10_000_000)).build();
    server =
        TftpServerTransport.builder(engine)
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .onTransfer((t, e) -> outcomes.add(e))
            .daemon(true)
            .start();
    port = server.localAddress().getPort();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static byte[] bytes(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static Proc.Result run(String... command) throws IOException {
    return Proc.run(CLIENT_TIMEOUT, List.of(command), java.util.Map.of());
  }

  private static String p() {
    return Integer.toString(port);
  }

  private static void assertSame(String name, Path got) throws IOException {
    assertArrayEquals(Files.readAllBytes(root.resolve(name)), Files.readAllBytes(got), name);
  }

  @ParameterizedTest(name = "tftp-hpa get of {0} bytes")
  @ValueSource(ints = {0, 511, 512, 513, 100_000, BIG})
  void tftpHpaGet(int size) throws IOException {
    Path out = dir.resolve("hpa" + size);
    run("tftp", "-m", "binary", "127.0.0.1", p(), "-c", "get", "f" + size, out.toString())
        .assertSuccess();
    assertSame("f" + size, out);
  }

  @ParameterizedTest(name = "atftp get of {0} bytes, blksize 1428, tsize, windowsize 8")
  @ValueSource(ints = {0, 511, 512, 513, 100_000, BIG})
  void atftpGetWithOptions(int size) throws IOException {
    Path out = dir.resolve("at" + size);
    run(
            "atftp",
            "--option",
            "blksize 1428",
            "--option",
            "tsize 0",
            "--option",
            "windowsize 8",
            "-g",
            "-r",
            "f" + size,
            "-l",
            out.toString(),
            "127.0.0.1",
            p())
        .assertSuccess();
    assertSame("f" + size, out);
  }

  @ParameterizedTest(name = "atftp get of {0} bytes, no options")
  @ValueSource(ints = {0, 512, 513, BIG})
  void atftpGetPlain(int size) throws IOException {
    Path out = dir.resolve("atp" + size);
    run("atftp", "-g", "-r", "f" + size, "-l", out.toString(), "127.0.0.1", p()).assertSuccess();
    assertSame("f" + size, out);
  }

  @ParameterizedTest(name = "curl get of {0} bytes")
  @ValueSource(ints = {0, 511, 512, 513, 100_000, BIG})
  void curlGet(int size) throws IOException {
    Path out = dir.resolve("curl" + size);
    run("curl", "-sS", "-o", out.toString(), "tftp://127.0.0.1:" + p() + "/f" + size)
        .assertSuccess();
    assertSame("f" + size, out);
    Path big = dir.resolve("curlb" + size);
    run(
            "curl",
            "-sS",
            "--tftp-blksize",
            "8192",
            "-o",
            big.toString(),
            "tftp://127.0.0.1:" + p() + "/f" + size)
        .assertSuccess();
    assertSame("f" + size, big);
  }

  @Test
  void netasciiWithTftpHpaRoundTripsAndCurlSeesTheWireForm() throws IOException {
    Path out = dir.resolve("text-hpa");
    run("tftp", "-m", "ascii", "127.0.0.1", p(), "-c", "get", "text.txt", out.toString())
        .assertSuccess();
    assertSame("text.txt", out);
    Path raw = dir.resolve("text-curl");
    run("curl", "-sS", "-o", raw.toString(), "tftp://127.0.0.1:" + p() + "/text.txt;mode=netascii")
        .assertSuccess();
    // curl keeps netascii as sent: LF is CR LF, a bare CR is CR NUL
    assertEquals("one\r\ntwo\r\0\r\nthree\r\n", Files.readString(raw, StandardCharsets.ISO_8859_1));
  }

  @Test
  void uploadsFromEveryClient() throws IOException {
    Path local = dir.resolve("upload.bin");
    Files.write(local, bytes(300_000, 99));
    run("tftp", "-m", "binary", "127.0.0.1", p(), "-c", "put", local.toString(), "up-hpa")
        .assertSuccess();
    run(
            "atftp",
            "--option",
            "blksize 1000",
            "--option",
            "windowsize 4",
            "--option",
            "tsize 300000",
            "-p",
            "-r",
            "up-atftp",
            "-l",
            local.toString(),
            "127.0.0.1",
            p())
        .assertSuccess();
    run("curl", "-sS", "-T", local.toString(), "tftp://127.0.0.1:" + p() + "/up-curl")
        .assertSuccess();
    for (String name : List.of("up-hpa", "up-atftp", "up-curl")) {
      assertArrayEquals(Files.readAllBytes(local), Files.readAllBytes(root.resolve(name)), name);
    }
  }

  @Test
  void refusalsReachTheClientAsTftpErrors() throws IOException {
    // curl's exit codes: 68 file not found, 69 access violation, 73 file exists
    List<String[]> cases = new ArrayList<>();
    cases.add(new String[] {"nope", "68"});
    cases.add(new String[] {"..%2Fsecret", "69"});
    for (String[] c : cases) {
      Path out = dir.resolve("refused");
      Proc.Result r =
          run("curl", "-sS", "-o", out.toString(), "tftp://127.0.0.1:" + p() + "/" + c[0]);
      assertEquals(Integer.parseInt(c[1]), r.exitCode(), r.describe());
    }
    Path local = dir.resolve("exists.bin");
    Files.write(local, bytes(10, 1));
    Proc.Result r = run("curl", "-sS", "-T", local.toString(), "tftp://127.0.0.1:" + p() + "/f0");
    assertEquals(73, r.exitCode(), r.describe());
    Proc.Result hpa = run("tftp", "127.0.0.1", p(), "-c", "get", "../secret", "x");
    assertTrue(
        hpa.stdout().contains("Error code 2") || hpa.stderr().contains("Error code 2"),
        hpa.describe());
    assertFalse(Files.exists(root.resolve("exists.bin")));
    assertEquals(0, Files.size(root.resolve("f0")), "not overwritten");
  }
}
