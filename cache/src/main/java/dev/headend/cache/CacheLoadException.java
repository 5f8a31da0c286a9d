package dev.headend.cache;

/** A load from the system of record failed; the cause is the loader's exception. */
public final class CacheLoadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure to load {@code key}. */
  public CacheLoadException(Object key, Throwable cause) {
    super("loading " + key + " failed: " + cause, cause);
  }
}
