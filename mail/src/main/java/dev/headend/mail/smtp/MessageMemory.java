package dev.headend.mail.smtp;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A limit on the message content that the SMTP sessions sharing it hold in memory at once: what is
 * being received and what waits for the application's decision. A session reserves memory as its
 * message grows; when the limit is reached, that message is read to its end and dropped, and the
 * client gets {@code 452 4.3.1} (insufficient system storage, RFC 5321 §4.2.3, RFC 3463) and may
 * try again later; a {@code MAIL FROM} with a {@code SIZE=} larger than what is free gets the same
 * reply at once (RFC 1870). Without such a limit the worst case is every connection holding a
 * message of the largest size. Thread-safe; one per server by default ({@link
 * SmtpServerConfig.Builder#messageMemory}), or shared by several.
 */
public final class MessageMemory {
  private final long limit;
  private final AtomicLong used = new AtomicLong();

  private MessageMemory(long limit) {
    this.limit = limit;
  }

  /**
   * A limit of {@code bytes}.
   *
   * @throws IllegalArgumentException if {@code bytes} is negative
   */
  public static MessageMemory of(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("a memory limit cannot be negative: " + bytes);
    }
    return new MessageMemory(bytes);
  }

  /** The limit in bytes. */
  public long limit() {
    return limit;
  }

  /** Bytes reserved now. */
  public long used() {
    return used.get();
  }

  /** Bytes free now. */
  public long available() {
    return limit - used.get();
  }

  /** Reserves {@code bytes}, or nothing if that would pass the limit. */
  boolean tryReserve(long bytes) {
    while (true) {
      long now = used.get();
      if (now + bytes > limit) {
        return false;
      }
      if (used.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  void release(long bytes) {
    used.addAndGet(-bytes);
  }

  /** Takes ownership of {@code bytes} already reserved. */
  Hold hold(long bytes) {
    return new Hold(this, bytes);
  }

  /**
   * The memory one received message holds in its limit ({@link
   * SmtpEvent.MessageReceived#memory()}): the engine gives it back when the application decides on
   * the message; an application that goes on storing a message after its connection is gone gives
   * it back itself once done. Giving it back twice does nothing.
   */
  public static final class Hold {
    private final MessageMemory memory;
    private final AtomicLong bytes;

    private Hold(MessageMemory memory, long bytes) {
      this.memory = memory;
      this.bytes = new AtomicLong(bytes);
    }

    /** The bytes held now (0 once given back). */
    public long bytes() {
      return bytes.get();
    }

    /** Gives the memory back to the limit. Thread-safe and idempotent. */
    public void release() {
      long b = bytes.getAndSet(0);
      if (b > 0) {
        memory.release(b);
      }
    }
  }

  @Override
  public String toString() {
    return "MessageMemory[" + used() + " of " + limit + " bytes]";
  }
}
