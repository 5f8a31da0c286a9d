package dev.headend.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A throwaway {@code redis-server} on 127.0.0.1 and a free port, without persistence, killed on
 * {@link #close()}. Skips the test (fails it in CI) when Redis is not installed.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.start()) {
 *   JedisPooled client = new JedisPooled("127.0.0.1", redis.port());
 * }
 * }</pre>
 */
public final class RedisServer implements AutoCloseable {
  private final Proc.Running process;
  private final int port;
  private final Path dir;

  private RedisServer(Proc.Running process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** Starts a server and waits until it accepts connections. */
  public static RedisServer start() {
    Path exe = Peers.require("redis-server", "apt-get install -y redis-server");
    int port = FreePorts.tcpAndUdp();
    try {
      Path dir = Files.createTempDirectory("headend-redis");
      Proc.Running p =
          Proc.start(
              List.of(
                  exe.toString(),
                  "--bind",
                  "127.0.0.1",
                  "--port",
                  Integer.toString(port),
                  "--save",
                  "",
                  "--appendonly",
                  "no",
                  "--daemonize",
                  "no",
                  "--protected-mode",
                  "yes",
                  "--dir",
                  dir.toString()),
              Map.of());
      try {
        p.awaitOutput(Pattern.compile("Ready to accept connections"), Duration.ofSeconds(20));
      } catch (RuntimeException | AssertionError e) {
        p.close();
        throw e;
      }
      return new RedisServer(p, port, dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start redis-server", e);
    }
  }

  /** The TCP port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** Whether the server process still runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    process.close();
    try {
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // redis wrote nothing (no persistence); a leftover empty folder in /tmp is harmless
      System.getLogger(RedisServer.class.getName())
          .log(System.Logger.Level.DEBUG, "cannot delete " + dir, e);
    }
  }
}
