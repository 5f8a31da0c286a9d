package dev.headend.benchmarks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.testkit.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The packaged JMH jar lists the suites and runs one, as the README tells users to. */
class BenchmarksJarIT {
  private static final Path JAR =
      Path.of(System.getProperty("benchmarks.jar", "target/benchmarks.jar"));
  private static final String JAVA =
      Path.of(System.getProperty("java.home"), "bin", "java").toString();

  @Test
  void listsTheSuites() throws Exception {
    assertTrue(Files.isRegularFile(JAR), JAR + " was not built");
    Proc.Result r = Proc.run(Duration.ofSeconds(60), JAVA, "-jar", JAR.toString(), "-l");
    r.assertSuccess();
    assertTrue(r.stdout().contains("PrefixMatchBenchmark.headend"), r.describe());
    assertTrue(r.stdout().contains("PrefixMatchBenchmark.ipaddressLibrary"), r.describe());
    assertTrue(r.stdout().contains("AddressTextBenchmark.parseHeadend"), r.describe());
    assertTrue(r.stdout().contains("QueryAnswerBenchmark.dnsjava"), r.describe());
  }

  @Test
  void runsACoreBenchmark() throws Exception {
    Proc.Result r =
        Proc.run(
            Duration.ofMinutes(3),
            JAVA,
            "-jar",
            JAR.toString(),
            "PrefixMatchBenchmark.headend$",
            "-p",
            "prefixes=1000",
            "-f",
            "1",
            "-wi",
            "0",
            "-i",
            "1",
            "-r",
            "300ms");
    r.assertSuccess();
    assertTrue(r.stdout().contains("PrefixMatchBenchmark.headend"), r.describe());
    assertTrue(r.stdout().contains("ns/op"), r.describe());
  }
}
