package dev.headend.mail.message;

import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/** {@link MessageStore#inMemory()}. */
final class InMemoryMessageStore implements MessageStore {
  private final Map<String, ConcurrentSkipListMap<String, byte[]>> boxes =
      new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

  @Override
  public StoredMessage append(String mailbox, byte[] content) {
    Objects.requireNonNull(mailbox, "mailbox");
    String id = String.format("%016d", ids.incrementAndGet());
    boxes.computeIfAbsent(mailbox, m -> new ConcurrentSkipListMap<>()).put(id, content.clone());
    return new StoredMessage(mailbox, id, content.length);
  }

  @Override
  public List<String> mailboxes() {
    return nonEmpty(boxes);
  }

  /** The sorted names of the mailboxes in an index that hold a message; for the indexed stores. */
  static List<String> nonEmpty(Map<String, ? extends Map<?, ?>> boxes) {
    List<String> names = new ArrayList<>();
    boxes.forEach(
        (name, box) -> {
          if (!box.isEmpty()) {
            names.add(name);
          }
        });
    Collections.sort(names);
    return names;
  }

  @Override
  public List<StoredMessage> list(String mailbox) {
    List<StoredMessage> list = new ArrayList<>();
    ConcurrentSkipListMap<String, byte[]> box = boxes.get(mailbox);
    if (box != null) {
      box.forEach((id, b) -> list.add(new StoredMessage(mailbox, id, b.length)));
    }
    return list;
  }

  @Override
  public byte[] read(String mailbox, String id) throws NoSuchFileException {
    ConcurrentSkipListMap<String, byte[]> box = boxes.get(mailbox);
    byte[] b = box == null ? null : box.get(id);
    if (b == null) {
      throw new NoSuchFileException(mailbox + "/" + id);
    }
    return b.clone();
  }

  @Override
  public boolean delete(String mailbox, String id) {
    ConcurrentSkipListMap<String, byte[]> box = boxes.get(mailbox);
    return box != null && box.remove(id) != null;
  }
}
