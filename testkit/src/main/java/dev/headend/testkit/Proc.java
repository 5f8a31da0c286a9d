package dev.headend.testkit;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs peer programs for tests: with a timeout, output captured to files (never a pipe a daemon
 * could hold open), and every started process tree killed by PID when the test is done, or at JVM
 * exit at the latest.
 *
 * <pre>{@code
 * Proc.Result r = Proc.run(Duration.ofSeconds(10), "dig", "@127.0.0.1", "-p", port, "example.test");
 * r.assertSuccess();
 *
 * try (Proc.Running nsd = Proc.start("nsd", "-d", "-c", conf)) {
 *   nsd.awaitOutput(Pattern.compile("nsd started"), Duration.ofSeconds(10));
 *   ...
 * }   // killed here, with its children
 * }</pre>
 */
public final class Proc {
  private static final int MAX_CAPTURE = 1 << 20;
  private static final Set<Running> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  for (Running r : LIVE) {
                    r.close();
                  }
                },
                "headend-testkit-proc-cleanup"));
  }

  private Proc() {}

  /**
   * Runs {@code command} to completion or until {@code timeout}, when it and its descendants are
   * killed and {@link Result#timedOut()} is true.
   */
  public static Result run(Duration timeout, String... command) throws IOException {
    return run(timeout, List.of(command), Map.of());
  }

  /** {@link #run(Duration, String...)} with extra environment variables. */
  public static Result run(Duration timeout, List<String> command, Map<String, String> env)
      throws IOException {
    try (Running r = start(command, env)) {
      return r.await(timeout);
    }
  }

  /** Starts {@code command}; close the result to kill it and its descendants. */
  public static Running start(String... command) throws IOException {
    return start(List.of(command), Map.of());
  }

  /** {@link #start(String...)} with extra environment variables. */
  public static Running start(List<String> command, Map<String, String> env) throws IOException {
    Path dir = Files.createTempDirectory("headend-proc-");
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.redirectOutput(dir.resolve("stdout").toFile());
    pb.redirectError(dir.resolve("stderr").toFile());
    Process p = pb.start();
    Running r = new Running(List.copyOf(command), p, dir);
    LIVE.add(r);
    return r;
  }

  /**
   * The command that runs {@code mainClass} in a new JVM with this test's class path, for code that
   * must run in another process (inside a network namespace, or to be killed with -9).
   */
  public static List<String> java(Class<?> mainClass, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Kills the process whose PID is in {@code pidFile} (for peers that daemonize), and its tree. */
  public static void killPidFile(Path pidFile) throws IOException {
    if (!Files.exists(pidFile)) {
      return;
    }
    String text = Files.readString(pidFile).trim();
    if (!text.matches("\\d+")) {
      throw new IOException("no PID in " + pidFile + ": " + text);
    }
    ProcessHandle.of(Long.parseLong(text)).ifPresent(h -> killTree(h, Duration.ofSeconds(2)));
  }

  /**
   * Terminates {@code root} and its descendants, and kills whatever is left after {@code grace}.
   */
  public static void killTree(ProcessHandle root, Duration grace) {
    List<ProcessHandle> all = new ArrayList<>();
    root.descendants().forEach(all::add);
    all.add(root);
    all.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle h : all) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !exitedWithin(h, left)) {
        h.destroyForcibly();
      }
    }
  }

  private static boolean exitedWithin(ProcessHandle h, long nanos) {
    try {
      h.onExit().get(nanos, TimeUnit.NANOSECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // kill at once, and let the caller see the interrupt
      return false;
    } catch (TimeoutException | ExecutionException e) {
      return false;
    }
  }

  /**
   * A finished run.
   *
   * @param command what ran
   * @param exitCode its exit status (-1 if killed on timeout)
   * @param stdout captured standard output (at most its last MiB)
   * @param stderr captured standard error (at most its last MiB)
   * @param timedOut whether it was killed for running past the timeout
   * @param took how long it ran
   */
  public record Result(
      List<String> command,
      int exitCode,
      String stdout,
      String stderr,
      boolean timedOut,
      Duration took) {

    /** Fails unless the command exited 0 in time; the message carries both outputs. */
    public Result assertSuccess() {
      if (timedOut || exitCode != 0) {
        throw new AssertionError(describe());
      }
      return this;
    }

    /** The command, how it ended and its output, for failure messages. */
    public String describe() {
      return String.join(" ", command)
          + (timedOut ? " timed out after " + took.toMillis() + " ms" : " exited " + exitCode)
          + "\n--- stdout ---\n"
          + stdout
          + "\n--- stderr ---\n"
          + stderr;
    }
  }

  /** A started process. Closing it kills it and its descendants. */
  public static final class Running implements AutoCloseable {
    private final List<String> command;
    private final Process process;
    private final Path dir;
    private final long started = System.nanoTime();

    private Running(List<String> command, Process process, Path dir) {
      this.command = command;
      this.process = process;
      this.dir = dir;
    }

    /** The process id. */
    public long pid() {
      return process.pid();
    }

    /** Whether it is still running. */
    public boolean isAlive() {
      return process.isAlive();
    }

    /** Standard output so far (at most its last MiB). */
    public String stdout() {
      return tail(dir.resolve("stdout"));
    }

    /** Standard error so far (at most its last MiB). */
    public String stderr() {
      return tail(dir.resolve("stderr"));
    }

    /**
     * Waits until standard output or error has a match for {@code pattern} and returns the match;
     * fails with both outputs if the process exits first or the time runs out.
     */
    public Matcher awaitOutput(Pattern pattern, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        boolean alive = process.isAlive(); // read before the output, so none is missed
        for (String out : List.of(stdout(), stderr())) {
          Matcher m = pattern.matcher(out);
          if (m.find()) {
            return m;
          }
        }
        if (!alive) {
          throw new AssertionError(
              "exited " + process.exitValue() + " before printing /" + pattern + "/\n" + output());
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "no /" + pattern + "/ within " + timeout.toMillis() + " ms\n" + output());
        }
        sleep(20);
      }
    }

    /** Waits for exit up to {@code timeout}; on timeout kills the tree and reports it. */
    public Result await(Duration timeout) {
      boolean exited;
      try {
        exited = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new AssertionError("interrupted while waiting for " + String.join(" ", command), e);
      }
      if (!exited) {
        kill();
      }
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      Result result =
          new Result(command, exited ? process.exitValue() : -1, stdout(), stderr(), !exited, took);
      close();
      return result;
    }

    /** The first line of standard output, if any. */
    public Optional<String> firstLine() {
      return stdout().lines().findFirst();
    }

    private String output() {
      return String.join(" ", command)
          + "\n--- stdout ---\n"
          + stdout()
          + "\n--- stderr ---\n"
          + stderr();
    }

    /**
     * Kills the process and its descendants (TERM, then KILL after 2 s) and deletes its captured
     * output, so read {@link #stdout()} before. Idempotent.
     */
    @Override
    public void close() {
      kill();
      if (!process.isAlive()) {
        try (var files = Files.list(dir)) {
          for (Path f : (Iterable<Path>) files::iterator) {
            Files.deleteIfExists(f);
          }
          Files.deleteIfExists(dir);
        } catch (IOException e) {
          // the output files are small and in the temp folder; a leftover is harmless
          System.getLogger(Proc.class.getName())
              .log(System.Logger.Level.DEBUG, "cannot delete " + dir, e);
        }
      }
    }

    private void kill() {
      if (process.isAlive() || process.descendants().findAny().isPresent()) {
        killTree(process.toHandle(), Duration.ofSeconds(2));
      }
      LIVE.remove(this);
    }

    private static String tail(Path file) {
      try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
        long len = f.length();
        long from = Math.max(0, len - MAX_CAPTURE);
        byte[] b = new byte[(int) (len - from)];
        f.seek(from);
        f.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static void sleep(long ms) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
