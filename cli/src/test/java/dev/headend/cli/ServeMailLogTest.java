package dev.headend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.mail.message.MessageStore;
import dev.headend.testkit.Proc;
import dev.headend.testkit.RequiresPeer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `headend serve --mail-store log`: swaks delivers, and the segment log holds the messages. */
class ServeMailLogTest {
  @TempDir Path dir;

  @Test
  @RequiresPeer(value = "swaks", install = "apt-get install -y swaks")
  void swaksDeliversIntoTheSegmentLog() throws Exception {
    Path mail = dir.resolve("mail");
    try (Serve serve =
        Serve.start(
            QuietOptions.with(
                "--smtp-port", "0", "--mail-dir", mail.toString(), "--mail-store", "log"))) {
      String text = String.join("\n", serve.description());
      assertTrue(text.contains("(segment log)"), text);
      String port = ServePorts.tcp(serve, "smtp");
      for (String body : List.of("first into the log", "second into the log")) {
        Proc.run(
                Duration.ofSeconds(60),
                List.of(
                    "swaks",
                    "--server",
                    "127.0.0.1",
                    "--port",
                    port,
                    "--pipeline",
                    "--from",
                    "alice@sender.test",
                    "--to",
                    "bob@example.test,carol@example.test",
                    "--body",
                    body),
                Map.of())
            .assertSuccess();
      }
    }
    assertTrue(Files.exists(mail.resolve("lock")), "the log's own layout, not a maildir");
    try (MessageStore store = MessageStore.segmentLog(mail)) {
      for (String box : List.of("bob@example.test", "carol@example.test")) {
        List<MessageStore.StoredMessage> list = store.list(box);
        assertEquals(2, list.size(), box);
        String first = new String(store.read(box, list.get(0).id()), StandardCharsets.UTF_8);
        String second = new String(store.read(box, list.get(1).id()), StandardCharsets.UTF_8);
        assertTrue(first.startsWith("Return-Path: <alice@sender.test>\r\n"), first);
        assertTrue(first.contains("\r\n\r\nfirst into the log\r\n"), first);
        assertTrue(second.contains("\r\n\r\nsecond into the log\r\n"), second);
      }
    }
  }

  @Test
  void anUnknownStoreIsAUsageError() {
    UsageException e =
        assertThrows(UsageException.class, () -> ServeOptions.parse(List.of("--mail-store", "x")));
    assertTrue(e.getMessage().contains("maildir or log"), e.getMessage());
  }
}
