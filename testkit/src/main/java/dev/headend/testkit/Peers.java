package dev.headend.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * Finds real peer programs and decides what a missing one means: a skip on a developer machine, a
 * failure in CI ({@code CI=true}). {@link RequiresPeer} and {@link RequiresRoot} do this
 * declaratively; these methods do it inside a test.
 */
public final class Peers {
  /** JUnit configuration parameter that overrides the {@code CI} environment variable. */
  public static final String CI_PARAMETER = "headend.ci";

  private static final List<String> EXTRA_DIRS =
      List.of("/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/local/bin", "/usr/bin", "/bin");

  private Peers() {}

  /** Whether this run is CI: the environment variable {@code CI} is {@code true}. */
  public static boolean inCi() {
    return Boolean.parseBoolean(System.getenv("CI"));
  }

  /** The executable for {@code program} (a name on PATH or the sbin directories, or a path). */
  public static Optional<Path> find(String program) {
    if (program.contains("/")) {
      Path p = Path.of(program);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(File.pathSeparator)));
    }
    dirs.addAll(EXTRA_DIRS);
    for (String dir : dirs) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * The executable for {@code program}; if it is missing, skips the current test (or fails it in
   * CI) with the install hint.
   */
  public static Path require(String program, String installHint) {
    return require(program, installHint, inCi());
  }

  /** Skips (or fails in CI) the current test unless it runs as root. */
  public static void requireRoot(String why) {
    requireRoot(why, inCi());
  }

  static Path require(String program, String installHint, boolean ci) {
    Optional<Path> found = find(program);
    if (found.isPresent()) {
      return found.get();
    }
    String message =
        "peer program '"
            + program
            + "' not found on PATH"
            + (installHint.isEmpty() ? "" : "; install it with: " + installHint);
    missing(message, ci);
    throw new AssertionError("unreachable");
  }

  static void requireRoot(String why, boolean ci) {
    if (!isRoot()) {
      missing("this test needs root: " + why, ci);
    }
  }

  /** Whether the JVM runs as uid 0. */
  public static boolean isRoot() {
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      return Integer.valueOf(0).equals(uid);
    } catch (Exception e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /** Fails the test in CI, skips it elsewhere. */
  private static void missing(String message, boolean ci) {
    if (ci) {
      throw new AssertionFailedError(message + " (CI=true: a missing peer fails the build)");
    }
    throw new TestAbortedException(message + " (skipped here; CI fails instead)");
  }
}
