package dev.headend.dhcp.server;

import dev.headend.core.net.Ipv4Address;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;

/**
 * Where a {@link DhcpServer} keeps its leases. The server holds every lease in memory too; the
 * store is what it reads back at start and what must survive a crash.
 *
 * <p>The server calls {@link #put} and {@link #remove} as bindings change, then {@link #sync()}
 * before it hands out any DHCPACK that depends on them: a lease the client has been told about is
 * on stable storage first. Calls come from the server's one thread.
 *
 * <p>A store may split {@link #sync()} in two, so that the server's thread does not wait for the
 * disk: {@link #write()} hands the changes to the operating system on the server's thread and
 * {@link #force()} makes them durable on another (see {@link DhcpServer#forceAsync}). The defaults
 * do all the work in {@link #write()}.
 */
public interface LeaseStore extends AutoCloseable {

  /** Every lease stored, one per address, as they were at the last {@link #sync()} or later. */
  Collection<Lease> load() throws IOException;

  /** Records {@code lease}, replacing what was stored for its address. */
  void put(Lease lease) throws IOException;

  /** Forgets {@code address}. */
  void remove(Ipv4Address address) throws IOException;

  /** Makes every earlier {@link #put} and {@link #remove} durable. */
  void sync() throws IOException;

  /**
   * Hands every earlier {@link #put} and {@link #remove} to the operating system without waiting
   * for stable storage; returns whether a {@link #force()} is still needed to make them durable
   * (false: they already are, or the store does not promise more). Default: {@link #sync()}, then
   * false.
   */
  default boolean write() throws IOException {
    sync();
    return false;
  }

  /**
   * Makes durable everything that {@link #write()} calls returned before this call began handed to
   * the operating system. The one method that may run on another thread, while the server's thread
   * goes on with {@link #put}, {@link #remove} and {@link #write()}; never two at once, and never
   * during {@link #close()}. Default: nothing.
   */
  default void force() throws IOException {}

  @Override
  void close() throws IOException;

  /** A store that keeps leases in memory only: they are lost with the process. */
  static LeaseStore inMemory() {
    return new MemoryLeaseStore();
  }

  /**
   * A durable store in {@code directory} (created if missing): an append-only journal of
   * checksummed records, fsynced by {@link #sync()}, compacted into a snapshot as it grows. Opening
   * it truncates a torn or corrupt journal tail (a record whose write a crash interrupted).
   *
   * @throws IOException if the directory cannot be created, locked or read, or a snapshot is
   *     corrupt
   */
  static LeaseStore journal(Path directory) throws IOException {
    return JournalLeaseStore.open(directory, JournalLeaseStore.DEFAULT_COMPACT_MIN, true);
  }

  /**
   * As {@link #journal(Path)}, compacting once the journal holds more than {@code compactMin}
   * records and twice as many as there are leases; with {@code fsync} false, {@link #sync()} only
   * hands the bytes to the operating system (they survive the process, not the machine).
   */
  static LeaseStore journal(Path directory, int compactMin, boolean fsync) throws IOException {
    return JournalLeaseStore.open(directory, compactMin, fsync);
  }
}
