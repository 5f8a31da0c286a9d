package dev.headend.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The write-behind queue: coalescing per key, one batch in flight at a time (so each key's changes
 * reach the source in order), retries with backoff, and a flush on close.
 */
final class WriteBehind<K, V> {
  /** Stands for a delete in the maps below (values may not be null there). */
  private static final Object DELETE = new Object();

  private final CacheWriter<K, V> writer;
  private final WriteBehindPolicy policy;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final LinkedHashMap<K, Object> pending = new LinkedHashMap<>();
  private final Map<K, Object> inFlight = new LinkedHashMap<>();
  private final Thread flusher;
  private boolean closing;
  private long deadline = Long.MAX_VALUE;
  private long lost;

  WriteBehind(CacheWriter<K, V> writer, WriteBehindPolicy policy) {
    this.writer = writer;
    this.policy = policy;
    this.flusher = new Thread(this::run, "headend-write-behind");
    flusher.setDaemon(true);
    flusher.start();
  }

  /** Queues a change (null value = delete), waiting for room up to the policy's timeout. */
  void enqueue(K key, V value) {
    lock.lock();
    try {
      if (closing) {
        throw new CacheWriteException("write-behind cache is closed; " + key + " not queued", null);
      }
      long waitNanos = policy.offerTimeout().toNanos();
      while (!pending.containsKey(key) && pending.size() >= policy.maxPending()) {
        if (waitNanos <= 0) {
          throw new CacheWriteException(
              "write-behind queue full (" + policy.maxPending() + " keys); " + key + " not queued",
              null);
        }
        waitNanos = changed.awaitNanos(waitNanos);
      }
      pending.put(key, value == null ? DELETE : value);
      changed.signalAll();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheWriteException("interrupted queueing " + key, e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The newest change not yet written for {@code key}: empty if none, an empty inner Optional for a
   * delete. Reads consult this so an evicted entry never brings back the source's older value.
   */
  Optional<Optional<V>> latest(K key) {
    lock.lock();
    try {
      Object v = pending.containsKey(key) ? pending.get(key) : inFlight.get(key);
      if (v == null) {
        return Optional.empty();
      }
      @SuppressWarnings("unchecked")
      V value = v == DELETE ? null : (V) v;
      return Optional.of(Optional.ofNullable(value));
    } finally {
      lock.unlock();
    }
  }

  /** Changes accepted and not yet written. */
  long backlog() {
    lock.lock();
    try {
      return pending.size() + inFlight.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops accepting changes and writes what is queued, retrying until {@code timeout}; returns how
   * many changes were lost (given up or still queued at the deadline).
   */
  long close(Duration timeout) {
    lock.lock();
    try {
      closing = true;
      deadline = System.nanoTime() + timeout.toNanos();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      flusher.join(Math.max(1, timeout.toMillis() + 1000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flusher.interrupt();
    lock.lock();
    try {
      return lost + pending.size() + inFlight.size();
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    while (true) {
      List<CacheWriter.Change<K, V>> batch = nextBatch();
      if (batch == null) {
        return;
      }
      write(batch);
    }
  }

  /** Waits for changes (up to maxDelay for a batch to fill); null once closed and drained. */
  private List<CacheWriter.Change<K, V>> nextBatch() {
    lock.lock();
    try {
      while (pending.isEmpty()) {
        if (closing) {
          return null;
        }
        changed.await();
      }
      long fill = policy.maxDelay().toNanos();
      while (pending.size() < policy.batchSize() && fill > 0 && !closing) {
        fill = changed.awaitNanos(fill);
      }
      List<CacheWriter.Change<K, V>> batch = new ArrayList<>();
      Iterator<Map.Entry<K, Object>> it = pending.entrySet().iterator();
      while (it.hasNext() && batch.size() < policy.batchSize()) {
        Map.Entry<K, Object> e = it.next();
        @SuppressWarnings("unchecked")
        V value = e.getValue() == DELETE ? null : (V) e.getValue();
        batch.add(new CacheWriter.Change<>(e.getKey(), value));
        inFlight.put(e.getKey(), e.getValue());
        it.remove();
      }
      changed.signalAll(); // room for blocked writers
      return batch;
    } catch (InterruptedException e) {
      return null;
    } finally {
      lock.unlock();
    }
  }

  private void write(List<CacheWriter.Change<K, V>> batch) {
    long backoff = policy.initialBackoff().toNanos();
    Exception last = null;
    for (int attempt = 1; attempt <= policy.maxAttempts(); attempt++) {
      try {
        writer.writeBatch(batch);
        finish(batch, false, null);
        return;
      } catch (Exception e) {
        last = e;
      }
      if (attempt == policy.maxAttempts() || !sleep(backoff)) {
        break;
      }
      backoff = Math.min(backoff * 2, policy.maxBackoff().toNanos());
    }
    finish(batch, true, last);
  }

  private void finish(List<CacheWriter.Change<K, V>> batch, boolean givenUp, Exception error) {
    lock.lock();
    try {
      for (CacheWriter.Change<K, V> c : batch) {
        inFlight.remove(c.key());
      }
      if (givenUp) {
        lost += batch.size();
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (givenUp) {
      policy.onLoss().accept(List.copyOf(batch), error);
    }
  }

  /** Sleeps for a retry; false if closing has run past its deadline. */
  private boolean sleep(long nanos) {
    lock.lock();
    try {
      long left = nanos;
      while (left > 0) {
        if (closing && System.nanoTime() - deadline > 0) {
          return false;
        }
        long step = closing ? Math.min(left, Math.max(0, deadline - System.nanoTime())) : left;
        if (step <= 0) {
          return false;
        }
        long before = System.nanoTime();
        changed.await(step, TimeUnit.NANOSECONDS);
        left -= System.nanoTime() - before;
      }
      return true;
    } catch (InterruptedException e) {
      return false;
    } finally {
      lock.unlock();
    }
  }
}
