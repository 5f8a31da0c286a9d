package dev.headend.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("netns")
@RequiresRoot("network namespaces")
@RequiresPeer(value = "ip", install = "apt-get install -y iproute2")
@RequiresPeer(value = "ping", install = "apt-get install -y iputils-ping")
class NetnsPairTest {

  @Test
  void joinsTwoHostsThenRemovesEverything() throws Exception {
    String server;
    String client;
    Proc.Running sleeper;
    try (NetnsPair net = NetnsPair.create("10.99.0.1/24", "10.99.0.2/24")) {
      server = net.server().name();
      client = net.client().name();
      assertTrue(NetnsPair.exists(server) && NetnsPair.exists(client));
      net.client()
          .run(Duration.ofSeconds(10), "ping", "-c", "1", "-W", "5", "10.99.0.1")
          .assertSuccess();
      String addrs =
          net.server().run(Duration.ofSeconds(5), "ip", "-4", "addr").assertSuccess().stdout();
      assertTrue(addrs.contains("10.99.0.1/24") && addrs.contains("hd-srv"), addrs);
      assertFalse(addrs.contains("10.99.0.2"), "each host sees only its own address");
      assertTrue(Files.isRegularFile(Path.of("/etc/netns", client, "resolv.conf")));
      sleeper = net.server().start("sleep", "300");
      Thread.sleep(100);
      assertTrue(sleeper.isAlive());
    }
    assertFalse(NetnsPair.exists(server) || NetnsPair.exists(client), "namespaces deleted");
    Thread.sleep(100);
    assertFalse(sleeper.isAlive(), "processes inside were killed");
    assertFalse(Files.exists(Path.of("/etc/netns", client)));
    sleeper.close();
  }

  @Test
  void theUnaddressedClientCannotReachTheServerUntilConfigured() throws Exception {
    try (NetnsPair net = NetnsPair.create()) {
      Proc.Result r =
          net.client().run(Duration.ofSeconds(10), "ping", "-c", "1", "-W", "1", "10.99.0.1");
      assertFalse(r.exitCode() == 0, "no route without an address: " + r.describe());
      net.client()
          .run(
              Duration.ofSeconds(5),
              "ip",
              "addr",
              "add",
              "10.99.0.9/24",
              "dev",
              net.client().device())
          .assertSuccess();
      net.client()
          .run(Duration.ofSeconds(10), "ping", "-c", "1", "-W", "5", "10.99.0.1")
          .assertSuccess();
    }
  }
}
