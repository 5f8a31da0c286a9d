package dev.headend.core.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One selector thread: readiness callbacks, tasks handed in from other threads, and deadlines.
 *
 * <p>Deadlines use a lazy queue: each {@link Timed} has at most one live entry. When a timed
 * object's deadline moves later (an idle timer after activity) nothing is queued; when its entry
 * comes due, the real deadline is re-read and re-queued if still in the future. So a busy
 * connection costs one queue operation per idle period, not one per read.
 */
final class EventLoop {
  static final System.Logger LOG = System.getLogger("dev.headend.core.transport");

  /** A selection key's attachment: called on the loop thread when the key is ready. */
  interface Ready {
    void ready(SelectionKey key);
  }

  /** Something with a deadline, in epoch milliseconds of the loop's clock. */
  abstract static class Timed {
    private long queuedAt = Long.MAX_VALUE;

    /** The current deadline, or {@link Long#MAX_VALUE} for none. */
    abstract long deadline();

    /** Called on the loop thread once the deadline has passed; reschedule if still needed. */
    abstract void fire(long nowMillis);
  }

  private record Entry(long at, Timed timed) {}

  private final String name;
  private final Clock clock;
  private final Selector selector;
  private final Thread thread;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final PriorityQueue<Entry> timers =
      new PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));
  private final CountDownLatch exited = new CountDownLatch(1);
  private volatile boolean stopRequested;
  private volatile boolean exiting; // no task is taken any more
  private BooleanSupplier stopWhen = () -> true;
  private long stopDeadline = Long.MAX_VALUE;
  private long firingNow = Long.MIN_VALUE;
  private int staleTimers; // queued entries superseded or cancelled
  private Runnable onExit = () -> {};

  EventLoop(String name, Clock clock, boolean daemon) {
    this.name = name;
    this.clock = clock;
    try {
      this.selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a selector for " + name, e);
    }
    this.thread = new Thread(this::run, name);
    thread.setDaemon(daemon);
  }

  void start() {
    thread.start();
  }

  String name() {
    return name;
  }

  Clock clock() {
    return clock;
  }

  long nowMillis() {
    return clock.millis();
  }

  Instant now() {
    return clock.instant();
  }

  boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /**
   * Runs {@code task} on the loop thread, soon. Safe from any thread.
   *
   * @return false if the loop has stopped and the task will never run
   */
  boolean execute(Runnable task) {
    if (exiting) {
      return false;
    }
    tasks.add(task);
    if (exiting && tasks.remove(task)) {
      return false; // raced with the loop's exit; the final drain did not see it
    }
    if (!inLoop()) {
      selector.wakeup();
    }
    return true;
  }

  /** Whether the loop still takes tasks (false once stopped, or dead after a fatal error). */
  boolean isRunning() {
    return !exiting;
  }

  /** What to do on the loop thread when it exits, however it exits. Set before {@link #start}. */
  void onExit(Runnable hook) {
    this.onExit = hook;
  }

  /** Registers a channel with this loop's selector. Loop thread only. */
  SelectionKey register(SelectableChannel channel, int ops, Ready ready)
      throws ClosedChannelException {
    return channel.register(selector, ops, ready);
  }

  /** (Re)reads {@code t}'s deadline and queues it if it is earlier than its queued entry. */
  void schedule(Timed t) {
    long d = t.deadline();
    if (d <= firingNow) {
      d = firingNow + 1; // a deadline still due after firing is retried next millisecond, not now
    }
    if (d < t.queuedAt) {
      if (t.queuedAt != Long.MAX_VALUE) {
        staleTimers++; // the earlier entry is superseded
      }
      t.queuedAt = d;
      timers.add(new Entry(d, t));
      compactTimers();
    }
  }

  /** Drops {@code t}'s queued deadline (its owner is gone), so the queue does not retain it. */
  void cancel(Timed t) {
    if (t.queuedAt != Long.MAX_VALUE) {
      t.queuedAt = Long.MAX_VALUE;
      staleTimers++;
      compactTimers();
    }
  }

  /** Lets the selector forget cancelled keys now, closing their channels. Loop thread only. */
  void selectNowForCancelledKeys() {
    try {
      selector.selectNow();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, name + ": selectNow failed", e);
    }
  }

  /** Queued deadline entries, live and stale (for tests). */
  int timerCount() {
    return timers.size();
  }

  private void compactTimers() {
    if (staleTimers > 64 && staleTimers > timers.size() / 2) {
      timers.removeIf(e -> e.at != e.timed.queuedAt);
      staleTimers = 0;
    }
  }

  /**
   * Asks the loop to stop once {@code done} holds or {@code deadlineMillis} has passed (then the
   * exit hook runs). Call on the loop thread.
   */
  void stopWhen(BooleanSupplier done, long deadlineMillis) {
    this.stopWhen = done;
    this.stopDeadline = deadlineMillis;
    this.stopRequested = true;
  }

  /** Waits for the loop thread to finish. */
  boolean awaitExit(long timeoutMillis) throws InterruptedException {
    return exited.await(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  private void run() {
    try {
      while (true) {
        runTasks();
        long now = nowMillis();
        runTimers(now);
        if (stopRequested && (stopWhen.getAsBoolean() || nowMillis() >= stopDeadline)) {
          break;
        }
        long wait = waitMillis(nowMillis());
        if (!tasks.isEmpty()) {
          selector.selectNow();
        } else if (wait == 0) {
          selector.select();
        } else {
          selector.select(wait);
        }
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey key = it.next();
          it.remove();
          if (key.isValid()) {
            try {
              ((Ready) key.attachment()).ready(key);
            } catch (Throwable e) {
              survive(e, "a channel callback");
            }
          }
        }
      }
    } catch (IOException e) {
      LOG.log(Level.ERROR, name + ": selector failed; the loop stops", e);
    } catch (Throwable e) {
      LOG.log(Level.ERROR, name + ": loop thread died", e);
      throw e;
    } finally {
      exiting = true;
      try {
        runTasks();
        onExit.run();
      } catch (Throwable e) {
        LOG.log(Level.ERROR, name + ": failure while shutting down", e);
      } finally {
        for (SelectionKey key : selector.keys()) {
          closeQuietly(key.channel());
        }
        closeQuietly(selector);
        exited.countDown();
      }
    }
  }

  private void runTasks() {
    Runnable task;
    int budget = 1024; // tasks queued by tasks wait for the next turn; I/O is not starved
    while (budget-- > 0 && (task = tasks.poll()) != null) {
      try {
        task.run();
      } catch (Throwable e) {
        survive(e, "a task");
      }
    }
  }

  private void runTimers(long now) {
    firingNow = now;
    try {
      Entry head;
      while ((head = timers.peek()) != null && head.at <= now) {
        timers.poll();
        Timed t = head.timed;
        if (head.at != t.queuedAt) {
          staleTimers = Math.max(0, staleTimers - 1);
          continue; // superseded by an earlier entry, or cancelled
        }
        t.queuedAt = Long.MAX_VALUE;
        try {
          if (t.deadline() <= now) {
            t.fire(now);
          }
        } catch (Throwable e) {
          survive(e, "a timer");
        }
        schedule(t);
      }
    } finally {
      firingNow = Long.MIN_VALUE;
    }
  }

  /** Milliseconds until the next deadline (at least 1), or 0 for none. */
  private long waitMillis(long now) {
    long next = stopRequested ? stopDeadline : Long.MAX_VALUE;
    Entry head = timers.peek();
    if (head != null) {
      next = Math.min(next, head.at);
    }
    if (next == Long.MAX_VALUE) {
      return 0;
    }
    return Math.max(1, next - now);
  }

  /**
   * Logs a failure of one callback and lets the loop go on; only errors the JVM cannot recover from
   * (out of memory, internal errors) end it. A stack overflow on hostile input is survivable.
   */
  private void survive(Throwable e, String where) {
    if (fatal(e)) {
      throw (Error) e;
    }
    LOG.log(Level.ERROR, name + ": " + where + " failed", e);
  }

  /** Whether {@code e} must end the thread: a JVM error other than a stack overflow. */
  static boolean fatal(Throwable e) {
    return e instanceof VirtualMachineError && !(e instanceof StackOverflowError);
  }

  /** {@code a + b}, or {@link Long#MAX_VALUE} where that would overflow ("never"). */
  static long plus(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? (b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : r;
  }

  static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      LOG.log(Level.DEBUG, "close failed", e);
    }
  }

  /** Epoch milliseconds at or after {@code instant} (deadlines round up, never fire early). */
  static long ceilMillis(Instant instant) {
    if (instant == null || instant.getEpochSecond() >= Long.MAX_VALUE / 1000 - 1) {
      return Long.MAX_VALUE;
    }
    if (instant.getEpochSecond() <= Long.MIN_VALUE / 1000 + 1) {
      return Long.MIN_VALUE;
    }
    long ms = instant.toEpochMilli();
    return instant.getNano() % 1_000_000 == 0 ? ms : ms + 1;
  }
}
