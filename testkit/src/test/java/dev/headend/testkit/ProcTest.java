package dev.headend.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcTest {

  @Test
  void capturesExitCodeAndBothOutputs() throws Exception {
    Proc.Result r =
        Proc.run(
            Duration.ofSeconds(10),
            List.of("sh", "-c", "echo out; echo err >&2; echo $GREETING; exit 3"),
            Map.of("GREETING", "hi"));
    assertEquals(3, r.exitCode());
    assertEquals("out\nhi\n", r.stdout());
    assertEquals("err\n", r.stderr());
    assertFalse(r.timedOut());
    AssertionError e = assertThrows(AssertionError.class, r::assertSuccess);
    assertTrue(e.getMessage().contains("exited 3") && e.getMessage().contains("err"));
  }

  @Test
  void killsWhatRunsPastItsTimeout() throws Exception {
    long start = System.nanoTime();
    Proc.Result r = Proc.run(Duration.ofMillis(300), "sleep", "30");
    assertTrue(r.timedOut());
    assertEquals(-1, r.exitCode());
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
  }

  @Test
  void closeKillsTheWholeTree() throws Exception {
    long child;
    Proc.Running parent = Proc.start("sh", "-c", "sleep 300 & echo child $!; trap '' TERM; wait");
    try (parent) {
      Matcher m = parent.awaitOutput(Pattern.compile("child (\\d+)"), Duration.ofSeconds(10));
      child = Long.parseLong(m.group(1));
      assertTrue(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false));
    }
    assertFalse(parent.isAlive(), "the parent ignored TERM and got KILL");
    assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false));
  }

  @Test
  void awaitOutputReportsAnEarlyExit() throws Exception {
    try (Proc.Running p = Proc.start("sh", "-c", "echo starting; exit 2")) {
      AssertionError e =
          assertThrows(
              AssertionError.class,
              () -> p.awaitOutput(Pattern.compile("ready"), Duration.ofSeconds(10)));
      assertTrue(e.getMessage().contains("exited 2") && e.getMessage().contains("starting"));
    }
  }

  @Test
  void killsAProcessNamedInAPidFile(@TempDir Path dir) throws Exception {
    Path pidFile = dir.resolve("daemon.pid");
    // a daemon-like child that outlives its parent shell
    Proc.run(
            Duration.ofSeconds(10),
            "sh",
            "-c",
            "nohup sleep 300 >/dev/null 2>&1 & echo $! > " + pidFile)
        .assertSuccess();
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    assertTrue(ProcessHandle.of(pid).isPresent());
    Proc.killPidFile(pidFile);
    Thread.sleep(100);
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
  }

  /** Prints its argument; used to check that {@link Proc#java} starts a class path JVM. */
  public static void main(String[] args) {
    System.out.println("child jvm says " + args[0]);
  }

  @Test
  void startsAClassInAFreshJvmWithTheTestClassPath() throws Exception {
    Proc.Result r = Proc.run(Duration.ofSeconds(60), Proc.java(ProcTest.class, "hello"), Map.of());
    r.assertSuccess();
    assertEquals("child jvm says hello\n", r.stdout());
  }
}
