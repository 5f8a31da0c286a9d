package dev.headend.core.net;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An immutable map from IP prefixes to values, answering longest-prefix-match lookups: which
 * configured network, ACL entry or route covers this address most specifically.
 *
 * <p>Lookups take no lock and allocate nothing, so one map can serve every thread; to change it,
 * build a new one and swap the reference. IPv4 and IPv6 prefixes live side by side, each family
 * answering only its own addresses.
 *
 * <pre>{@code
 * IpPrefixMap<String> relays = IpPrefixMap.<String>builder()
 *     .put(IpPrefix.parse("10.0.0.0/8"), "campus")
 *     .put(IpPrefix.parse("10.20.0.0/16"), "lab")
 *     .build();
 * relays.longestMatch(IpAddress.parse("10.20.3.4"));   // "lab"
 * relays.longestMatch(IpAddress.parse("192.0.2.1"));   // null
 * }</pre>
 *
 * @param <V> the value type; values are never null
 */
public final class IpPrefixMap<V> {

  /**
   * A matching entry.
   *
   * @param prefix the longest prefix that contains the address
   * @param value its value
   * @param <V> the value type
   */
  public record Match<V>(IpPrefix prefix, V value) {}

  private static final IpPrefixMap<?> EMPTY = new Builder<>().build();

  private final Map<IpPrefix, V> entries; // sorted, unmodifiable
  private final IpPrefix[] prefixes;
  private final Object[] values;
  private final NibbleTrie v4;
  private final NibbleTrie v6;

  private IpPrefixMap(Map<IpPrefix, V> sorted) {
    this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(sorted));
    int n = sorted.size();
    prefixes = new IpPrefix[n];
    values = new Object[n];
    long[] hi4 = new long[n];
    long[] lo4 = new long[n];
    int[] len4 = new int[n];
    int[] val4 = new int[n];
    long[] hi6 = new long[n];
    long[] lo6 = new long[n];
    int[] len6 = new int[n];
    int[] val6 = new int[n];
    int c4 = 0;
    int c6 = 0;
    int default4 = -1;
    int default6 = -1;
    int i = 0;
    for (Map.Entry<IpPrefix, V> e : sorted.entrySet()) {
      IpPrefix p = e.getKey();
      prefixes[i] = p;
      values[i] = e.getValue();
      if (p.address() instanceof Ipv4Address a) {
        if (p.length() == 0) {
          default4 = i;
        } else {
          hi4[c4] = (long) a.value() << 32;
          len4[c4] = p.length();
          val4[c4++] = i;
        }
      } else {
        Ipv6Address a = (Ipv6Address) p.address();
        if (p.length() == 0) {
          default6 = i;
        } else {
          hi6[c6] = a.high();
          lo6[c6] = a.low();
          len6[c6] = p.length();
          val6[c6++] = i;
        }
      }
      i++;
    }
    v4 = new NibbleTrie(32, hi4, lo4, len4, val4, c4, default4);
    v6 = new NibbleTrie(128, hi6, lo6, len6, val6, c6, default6);
  }

  /** A builder for a new map. */
  public static <V> Builder<V> builder() {
    return new Builder<>();
  }

  /** A map holding the given entries. */
  public static <V> IpPrefixMap<V> of(Map<IpPrefix, ? extends V> entries) {
    return IpPrefixMap.<V>builder().putAll(entries).build();
  }

  /** The empty map. */
  @SuppressWarnings("unchecked")
  public static <V> IpPrefixMap<V> empty() {
    return (IpPrefixMap<V>) EMPTY;
  }

  /** The value of the longest prefix containing {@code address}, or {@code null} if none does. */
  public V longestMatch(IpAddress address) {
    return valueAt(index(address));
  }

  /** {@link #longestMatch} for an IPv4 address given as its 32 bits, e.g. straight off the wire. */
  public V longestMatchIpv4(int address) {
    return valueAt(v4.lookupIpv4(address));
  }

  /** The longest prefix containing {@code address} with its value, or {@code null}. */
  public Match<V> longestMatchEntry(IpAddress address) {
    int i = index(address);
    return i < 0 ? null : new Match<>(prefixes[i], valueAt(i));
  }

  /** Whether any prefix contains {@code address}. */
  public boolean matches(IpAddress address) {
    return index(address) >= 0;
  }

  /** The value stored for exactly {@code prefix}, or {@code null}. */
  public V get(IpPrefix prefix) {
    return entries.get(prefix);
  }

  /** Number of prefixes. */
  public int size() {
    return prefixes.length;
  }

  /** Whether the map holds no prefix. */
  public boolean isEmpty() {
    return prefixes.length == 0;
  }

  /** The entries in prefix order (IPv4 first, then by address, shorter first), unmodifiable. */
  public Map<IpPrefix, V> asMap() {
    return entries;
  }

  /** A builder starting from this map's entries. */
  public Builder<V> toBuilder() {
    return IpPrefixMap.<V>builder().putAll(entries);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpPrefixMap<?> other && entries.equals(other.entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return entries.toString();
  }

  /** Trie nodes in use, for the memory bound test. */
  int nodeCount() {
    return v4.nodeCount() + v6.nodeCount();
  }

  private int index(IpAddress address) {
    if (address instanceof Ipv4Address a) {
      return v4.lookupIpv4(a.value());
    }
    Ipv6Address a = (Ipv6Address) Objects.requireNonNull(address, "address");
    return v6.lookup(a.high(), a.low());
  }

  @SuppressWarnings("unchecked")
  private V valueAt(int index) {
    return index < 0 ? null : (V) values[index];
  }

  /**
   * Collects entries for an {@link IpPrefixMap}; a later put for the same prefix replaces the
   * earlier value. Not thread-safe.
   *
   * @param <V> the value type
   */
  public static final class Builder<V> {
    private final TreeMap<IpPrefix, V> entries = new TreeMap<>();

    private Builder() {}

    /** Maps {@code prefix} to {@code value} (not null), replacing any earlier value. */
    public Builder<V> put(IpPrefix prefix, V value) {
      entries.put(Objects.requireNonNull(prefix, "prefix"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Puts every entry of {@code map}. */
    public Builder<V> putAll(Map<IpPrefix, ? extends V> map) {
      map.forEach(this::put);
      return this;
    }

    /** Removes {@code prefix} if present. */
    public Builder<V> remove(IpPrefix prefix) {
      entries.remove(prefix);
      return this;
    }

    /** The immutable map of the entries put so far. */
    public IpPrefixMap<V> build() {
      return new IpPrefixMap<>(entries);
    }
  }
}
