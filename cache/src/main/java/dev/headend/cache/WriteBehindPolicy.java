package dev.headend.cache;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * How a write-behind cache queues and flushes: at most {@code maxPending} keys wait (writes to a
 * waiting key replace its value, so the source sees each key's changes in order, possibly fewer of
 * them); batches of up to {@code batchSize} are written after at most {@code maxDelay}; a failed
 * batch is retried with exponential backoff from {@code initialBackoff} to {@code maxBackoff}, and
 * after {@code maxAttempts} it is handed to {@code onLoss} and dropped.
 *
 * <p>The data-loss window: changes accepted but not yet written (see {@code
 * CacheMetrics.writeBehindBacklog}) are lost if the process dies; {@code close()} flushes them,
 * retrying until its timeout.
 *
 * @param maxPending keys that may wait; a writer finding the queue full waits up to {@code
 *     offerTimeout}, then fails with {@link CacheWriteException}
 * @param offerTimeout how long a write waits for room
 * @param batchSize most changes per batch
 * @param maxDelay longest a change waits for its batch to fill
 * @param initialBackoff first retry delay
 * @param maxBackoff retry delay cap
 * @param maxAttempts tries per batch before it is given up
 * @param onLoss receives batches given up, with the last error
 */
public record WriteBehindPolicy(
    int maxPending,
    Duration offerTimeout,
    int batchSize,
    Duration maxDelay,
    Duration initialBackoff,
    Duration maxBackoff,
    int maxAttempts,
    BiConsumer<List<? extends CacheWriter.Change<?, ?>>, Exception> onLoss) {
  /** Checks the bounds. */
  public WriteBehindPolicy {
    if (maxPending < 1 || batchSize < 1 || maxAttempts < 1) {
      throw new IllegalArgumentException("maxPending, batchSize and maxAttempts must be >= 1");
    }
    Objects.requireNonNull(offerTimeout);
    Objects.requireNonNull(maxDelay);
    Objects.requireNonNull(initialBackoff);
    Objects.requireNonNull(maxBackoff);
    Objects.requireNonNull(onLoss);
  }

  /**
   * 10,000 pending keys, 1 s to wait for room, batches of 100 within 100 ms, retries from 100 ms to
   * 30 s, 10 attempts; losses are passed to {@code onLoss}.
   */
  public static WriteBehindPolicy defaults(
      BiConsumer<List<? extends CacheWriter.Change<?, ?>>, Exception> onLoss) {
    return new WriteBehindPolicy(
        10_000,
        Duration.ofSeconds(1),
        100,
        Duration.ofMillis(100),
        Duration.ofMillis(100),
        Duration.ofSeconds(30),
        10,
        onLoss);
  }
}
