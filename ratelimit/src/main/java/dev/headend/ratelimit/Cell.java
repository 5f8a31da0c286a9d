package dev.headend.ratelimit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One limiter's state, changed only by compare-and-set. A {@link Rule} knows which kind it uses.
 */
abstract class Cell {
  private Cell() {}

  /** State in one long (the frontier of the token/leaky bucket family). */
  static final class LongCell extends Cell {
    private static final VarHandle VALUE;

    static {
      try {
        VALUE = MethodHandles.lookup().findVarHandle(LongCell.class, "value", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    @SuppressWarnings("unused") // accessed through VALUE
    private volatile long value;

    LongCell(long initial) {
      value = initial;
    }

    long get() {
      return value;
    }

    boolean compareAndSet(long expected, long next) {
      return VALUE.compareAndSet(this, expected, next);
    }
  }

  /** State in an immutable object (the windowed algorithms); null until first used. */
  static final class RefCell<T> extends Cell {
    private static final VarHandle VALUE;

    static {
      try {
        VALUE = MethodHandles.lookup().findVarHandle(RefCell.class, "value", Object.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    @SuppressWarnings("unused") // accessed through VALUE
    private volatile T value;

    T get() {
      return value;
    }

    boolean compareAndSet(T expected, T next) {
      return VALUE.compareAndSet(this, expected, next);
    }
  }
}
