package dev.headend.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the external test vectors in {@code ../shared/testdata} (each folder documented by its
 * SOURCES.md) from any module's tests. The parent POM passes the location as the system property
 * {@code headend.testdata}; without it (a test run from an IDE) the folder is searched for upwards
 * from the working directory.
 *
 * <pre>{@code
 * byte[] query = TestData.bytes("dns", "kea-wire", "message_fromWire1");
 * }</pre>
 */
public final class TestData {
  /** System property naming the test data folder. */
  public static final String PROPERTY = "headend.testdata";

  private TestData() {}

  /** The test data folder; fails the test with directions if it cannot be found. */
  public static Path root() {
    String configured = System.getProperty(PROPERTY);
    if (configured != null && Files.isDirectory(Path.of(configured))) {
      return Path.of(configured).normalize();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve("testdata");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(
        "external test data not found: set -D"
            + PROPERTY
            + "=/path/to/shared/testdata (was "
            + configured
            + "); the parent POM sets it to ../shared/testdata beside the project");
  }

  /** A file or folder under the test data folder; fails the test if it does not exist. */
  public static Path path(String first, String... more) {
    Path p = root().resolve(Path.of(first, more));
    if (!Files.exists(p)) {
      throw new AssertionError("missing test data " + p + " (see its folder's SOURCES.md)");
    }
    return p;
  }

  /** The bytes of a test data file. */
  public static byte[] bytes(String first, String... more) {
    try {
      return Files.readAllBytes(path(first, more));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The text of a test data file, as UTF-8. */
  public static String text(String first, String... more) {
    try {
      return Files.readString(path(first, more));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
