package dev.headend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.testkit.Proc;
import dev.headend.testkit.RequiresPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command, `java -jar cli/target/headend.jar serve`, answered by dig and curl,
 * with DHCP tied to the loopback interface.
 */
@Tag("interop")
@RequiresPeer(value = "dig", install = "apt-get install -y bind9-dnsutils")
@RequiresPeer(value = "curl", install = "apt-get install -y curl")
class HeadendJarIT {
  private static final String JAR = System.getProperty("headend.jar", "target/headend.jar");

  @Test
  void theRunnableJarServesDnsThatDigCanQueryAndTftpThatCurlCanFetch(@TempDir Path tftpRoot)
      throws Exception {
    Files.writeString(tftpRoot.resolve("modem.cfg"), "hello modem\n");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    try (Proc.Running headend =
        Proc.start(
            List.of(
                java,
                "-jar",
                JAR,
                "serve",
                "--dns-port",
                "0",
                "--resolver-port",
                "0",
                "--tftp-port",
                "0",
                "--tftp-root",
                tftpRoot.toString(),
                "--smtp-port",
                "-1",
                "--dhcp-port",
                "0",
                "--dhcp-interface",
                "lo"),
            Map.of())) {
      Matcher m =
          headend.awaitOutput(
              Pattern.compile("udp\\+tcp 127\\.0\\.0\\.1:(\\d+)"), Duration.ofSeconds(60));
      headend.awaitOutput(Pattern.compile("ready"), Duration.ofSeconds(10));
      Proc.Result dig =
          Proc.run(
                  Duration.ofSeconds(20),
                  "dig",
                  "@127.0.0.1",
                  "-p",
                  m.group(1),
                  "+short",
                  "+tries=1",
                  "mail.example.test",
                  "A")
              .assertSuccess();
      assertEquals("127.0.0.12", dig.stdout().trim());
      Matcher t =
          headend.awaitOutput(
              Pattern.compile("tftp +udp +127\\.0\\.0\\.1:(\\d+)"), Duration.ofSeconds(5));
      Proc.Result curl =
          Proc.run(
                  Duration.ofSeconds(20),
                  "curl",
                  "-sS",
                  "tftp://127.0.0.1:" + t.group(1) + "/modem.cfg")
              .assertSuccess();
      assertEquals("hello modem\n", curl.stdout());
      // tied to lo: the jar's manifest opens what SO_BINDTOIFINDEX needs, no JVM option given
      headend.awaitOutput(
          Pattern.compile("dhcp +udp +127\\.0\\.0\\.1:\\d+ on lo "), Duration.ofSeconds(5));
      assertTrue(headend.isAlive());
    }
  }
}
