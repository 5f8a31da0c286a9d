package dev.headend.tftp.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.headend.testkit.NetnsPair;
import dev.headend.testkit.Proc;
import dev.headend.testkit.RequiresPeer;
import dev.headend.testkit.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our server in one network namespace, clients in another, 10% of the packets dropped in each
 * direction by {@code tc netem} on the veth link: every transfer must still finish with the same
 * bytes.
 */
@Tag("netns")
@RequiresRoot("network namespaces and tc netem")
@RequiresPeer(value = "atftp", install = "apt-get install -y atftp")
@RequiresPeer(value = "tftp", install = "apt-get install -y tftp-hpa")
@RequiresPeer(value = "tc", install = "apt-get install -y iproute2")
class TftpLossyLinkTest {
  @TempDir static Path dir;
  static NetnsPair net;
  static Proc.Running server;
  static byte[] content;

  @BeforeAll
  static void start() throws Exception {
    Path root = Files.createDirectory(dir.resolve("root"));
    content = TftpClientsInteropTest.bytes(400_000, 42);
    Files.write(root.resolve("file.bin"), content);
    Files.write(root.resolve("small.bin"), java.util.Arrays.copyOf(content, 40_000));
    net = NetnsPair.create("10.99.0.1/24", "10.99.0.2/24");
    net.addLoss(net.server(), 10);
    net.addLoss(net.client(), 10);
    List<String> cmd =
        new ArrayList<>(
            Proc.java(TftpServeMain.class, net.server().ip(), "6969", root.toString(), "250"));
    server = Proc.start(net.server().command(cmd), java.util.Map.of());
    server.awaitOutput(Pattern.compile("READY"), Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (net != null) {
      net.close();
    }
  }

  private static void fetched(Path out, byte[] expected) throws Exception {
    assertArrayEquals(expected, Files.readAllBytes(out));
  }

  @Test
  void atftpWithWindowsFinishes() throws Exception {
    Path out = dir.resolve("atftp.bin");
    // atftp 0.8 aborts with "unexpected OACK" when its ACK of our OACK is lost and we send the
    // OACK again, as RFC 2347 has us do: that run is atftp's failure, so it is tried again (at
    // most twice); any other failure fails the test.
    for (int attempt = 1; ; attempt++) {
      Proc.Result r =
          net.client()
              .run(
                  Duration.ofMinutes(4),
                  "atftp",
                  "--option",
                  "blksize 1428",
                  "--option",
                  "windowsize 8",
                  "--tftp-timeout",
                  "1",
                  "-g",
                  "-r",
                  "file.bin",
                  "-l",
                  out.toString(),
                  net.server().ip(),
                  "6969");
      if (r.exitCode() != 0 && r.stderr().contains("unexpected OACK") && attempt < 3) {
        continue;
      }
      r.assertSuccess();
      break;
    }
    fetched(out, content);
  }

  @Test
  void tftpHpaLockStepFinishes() throws Exception {
    Path out = dir.resolve("hpa.bin");
    net.client()
        .run(
            Duration.ofMinutes(4),
            "tftp",
            "-m",
            "binary",
            net.server().ip(),
            "6969",
            "-c",
            "get",
            "small.bin",
            out.toString())
        .assertSuccess();
    fetched(out, java.util.Arrays.copyOf(content, 40_000));
  }

  @Test
  void ourClientFinishes() throws Exception {
    Path out = dir.resolve("ours.bin");
    List<String> cmd =
        Proc.java(
            TftpFetchMain.class,
            net.server().ip(),
            "6969",
            "file.bin",
            out.toString(),
            "1428",
            "4");
    Proc.run(Duration.ofMinutes(4), net.client().command(cmd), java.util.Map.of()).assertSuccess();
    fetched(out, content);
  }
}
