import dev.headend.mail.message.MessageStore;
import java.nio.file.Path;

/**
 * Prints how many messages a segment log holds in one mailbox, read back (checksums checked) by
 * the store itself: {@code java -cp cli/target/headend.jar benchmarks/mail/CountLog.java DIR BOX}.
 */
public class CountLog {
  public static void main(String[] args) throws Exception {
    try (MessageStore store = MessageStore.segmentLog(Path.of(args[0]))) {
      System.out.println(store.list(args[1]).size());
    }
  }
}
