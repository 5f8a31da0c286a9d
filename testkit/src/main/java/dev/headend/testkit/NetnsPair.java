package dev.headend.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two network namespaces joined by a veth pair: a server host and a client host on a private link,
 * for DHCP and TFTP tests that need broadcast, port 67, or packet loss without touching the
 * machine's real interfaces. Needs root and iproute2.
 *
 * <p>The namespaces are named {@code headend-PID-N-srv} / {@code -cli}; each gets its own empty
 * {@code /etc/netns/NAME/resolv.conf}, so a DHCP client script inside cannot rewrite the host's.
 * {@link #close()} kills every process left inside and deletes both; so does a JVM shutdown hook,
 * and {@link #create} first deletes pairs left by JVMs that no longer run.
 *
 * <pre>{@code
 * try (NetnsPair net = NetnsPair.create("10.99.0.1/24", null)) {
 *   try (Proc.Running server = Proc.start(net.server().command(serverCommand))) {
 *     net.client().run(Duration.ofSeconds(30), "udhcpc", "-i", net.client().device(), "-q", "-n")
 *         .assertSuccess();
 *   }
 * }
 * }</pre>
 */
public final class NetnsPair implements AutoCloseable {
  private static final String PREFIX = "headend-";
  private static final Pattern OURS = Pattern.compile("^headend-(\\d+)-(\\d+)-(srv|cli)\\b");
  private static final AtomicInteger SEQ = new AtomicInteger();
  private static final Duration IP_TIMEOUT = Duration.ofSeconds(20);

  private final Netns server;
  private final Netns client;
  private volatile boolean closed;
  private final Thread hook;

  /**
   * One end of the pair.
   *
   * @param name the namespace name
   * @param device the veth interface inside it
   * @param address its address in CIDR form ({@code 10.99.0.1/24}), or null if none was set
   */
  public record Netns(String name, String device, String address) {

    /** {@code command} prefixed so that it runs inside this namespace. */
    public List<String> command(List<String> command) {
      List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", name));
      c.addAll(command);
      return c;
    }

    /** {@code command} prefixed so that it runs inside this namespace. */
    public List<String> command(String... command) {
      return command(List.of(command));
    }

    /** Runs {@code command} inside this namespace to completion or timeout. */
    public Proc.Result run(Duration timeout, String... command) throws IOException {
      return Proc.run(timeout, command(command), Map.of());
    }

    /** Starts {@code command} inside this namespace. */
    public Proc.Running start(String... command) throws IOException {
      return Proc.start(command(command), Map.of());
    }

    /** The address without its prefix length, or null. */
    public String ip() {
      return address == null ? null : address.substring(0, address.indexOf('/'));
    }
  }

  private NetnsPair(Netns server, Netns client) {
    this.server = server;
    this.client = client;
    this.hook = new Thread(this::close, "headend-netns-cleanup-" + server.name);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** A pair with the server at 10.99.0.1/24 and the client unaddressed (a DHCP client's start). */
  public static NetnsPair create() throws IOException {
    return create("10.99.0.1/24", null);
  }

  /**
   * Creates the pair. Skips the test (fails it in CI) unless running as root with {@code ip}.
   *
   * @param serverAddress CIDR address for the server end, e.g. {@code 10.99.0.1/24}, or null
   * @param clientAddress CIDR address for the client end, or null to leave it unaddressed
   */
  public static NetnsPair create(String serverAddress, String clientAddress) throws IOException {
    Peers.requireRoot("network namespaces");
    Peers.require("ip", "apt-get install -y iproute2");
    removeStale();
    String base = PREFIX + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    Netns s = new Netns(base + "-srv", "hd-srv", serverAddress);
    Netns c = new Netns(base + "-cli", "hd-cli", clientAddress);
    NetnsPair pair = new NetnsPair(s, c);
    try {
      for (Netns n : List.of(s, c)) {
        ip("netns", "add", n.name);
        Path etc = Path.of("/etc/netns", n.name);
        Files.createDirectories(etc);
        Files.writeString(etc.resolve("resolv.conf"), "");
      }
      ip(
          "link", "add", s.device, "netns", s.name, "type", "veth", "peer", "name", c.device,
          "netns", c.name);
      for (Netns n : List.of(s, c)) {
        ip("-n", n.name, "link", "set", "lo", "up");
        if (n.address != null) {
          ip("-n", n.name, "addr", "add", n.address, "dev", n.device);
        }
        ip("-n", n.name, "link", "set", n.device, "up");
      }
    } catch (IOException | RuntimeException | Error e) {
      pair.close();
      throw e;
    }
    return pair;
  }

  /** The server end. */
  public Netns server() {
    return server;
  }

  /** The client end. */
  public Netns client() {
    return client;
  }

  /**
   * Drops {@code percent}% of the packets leaving {@code end}'s device; apply it to both ends for
   * loss in both directions. Uses {@code tc netem} where the kernel has it, else an nftables rule
   * dropping a random share ({@code numgen random}) as the packets arrive at the other end's device
   * (on ingress, so the sender's {@code sendto} does not fail the way an output-hook drop makes it
   * fail), which kernels built without netem still have. Needs {@code tc} (iproute2) or {@code nft}
   * (nftables).
   */
  public void addLoss(Netns end, int percent) throws IOException {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("percent must be 0..100");
    }
    Proc.Result netem =
        Proc.run(
            IP_TIMEOUT,
            "ip",
            "netns",
            "exec",
            end.name,
            "tc",
            "qdisc",
            "replace",
            "dev",
            end.device,
            "root",
            "netem",
            "loss",
            percent + "%");
    if (netem.exitCode() == 0) {
      return;
    }
    Peers.require("nft", "apt-get install -y nftables");
    Netns other = end.equals(server) ? client : server;
    String rules =
        "table netdev headend_loss {\n"
            + "  chain in {\n"
            + "    type filter hook ingress device \""
            + other.device
            + "\" priority 0; policy accept;\n"
            + "    numgen random mod 100 < "
            + percent
            + " drop\n"
            + "  }\n"
            + "}\n";
    Path file = Files.createTempFile("headend-loss", ".nft");
    try {
      Files.writeString(file, rules);
      Proc.run(IP_TIMEOUT, "ip", "netns", "exec", other.name, "nft", "-f", file.toString())
          .assertSuccess();
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * Moves this pair's server end into namespace {@code host} (another pair's end, usually) as
   * device {@code device}, with {@code address} (CIDR, or null for none) and up: a host with two
   * links. The pair's own server namespace is left empty, and {@link #server()} still describes the
   * end as it was: use the returned one (e.g. for {@link #addLoss}).
   *
   * @return where the link's end now is
   */
  public Netns moveServerEnd(Netns host, String device, String address) throws IOException {
    ip("-n", server.name, "link", "set", server.device, "name", device);
    ip("-n", server.name, "link", "set", device, "netns", host.name);
    if (address != null) {
      ip("-n", host.name, "addr", "add", address, "dev", device);
    }
    ip("-n", host.name, "link", "set", device, "up");
    return new Netns(host.name, device, address);
  }

  /** Kills every process inside both namespaces and deletes them. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException failure = null;
    for (String name :
        List.of(server.name, client.name)) { // each is deleted whatever the other did
      try {
        delete(name);
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: this is the hook
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Whether a namespace of this name exists now. */
  public static boolean exists(String name) throws IOException {
    for (String line :
        Proc.run(IP_TIMEOUT, "ip", "netns", "list").assertSuccess().stdout().split("\n")) {
      if (line.equals(name) || line.startsWith(name + " ")) {
        return true;
      }
    }
    return false;
  }

  private static void removeStale() throws IOException {
    String list = Proc.run(IP_TIMEOUT, "ip", "netns", "list").assertSuccess().stdout();
    for (String line : list.split("\n")) {
      Matcher m = OURS.matcher(line);
      if (m.find() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
        delete(line.split(" ")[0]);
      }
    }
  }

  private static void delete(String name) {
    try {
      Proc.Result pids = Proc.run(IP_TIMEOUT, "ip", "netns", "pids", name);
      for (String pid : pids.stdout().split("\\s+")) {
        if (pid.matches("\\d+")) {
          ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
      Proc.run(IP_TIMEOUT, "ip", "netns", "del", name);
      Path etc = Path.of("/etc/netns", name);
      Files.deleteIfExists(etc.resolve("resolv.conf"));
      Files.deleteIfExists(etc);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete network namespace " + name, e);
    }
  }

  private static void ip(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    Proc.Result r = Proc.run(IP_TIMEOUT, cmd, Map.of());
    if (r.timedOut() || r.exitCode() != 0) {
      throw new IOException("network namespace setup failed: " + r.describe());
    }
  }
}
