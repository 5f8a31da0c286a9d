package dev.headend.dns.server;

import java.util.Arrays;
import org.xbill.DNS.Name;

/**
 * An immutable open-addressing map from domain names to values, looked up by a slice of wire bytes
 * with ASCII case folded on the fly (RFC 4343), so the hot path neither copies nor allocates. A
 * suffix of a wire name is itself a wire name, so the closest-encloser walk is a series of lookups
 * on ever shorter slices of the query's name.
 */
final class NameTable<V> {
  private final byte[][] keys; // lowercase wire names
  private final Object[] values;
  private final int mask;

  /** Builds a table; {@code names} and {@code vals} are parallel. Names must be distinct. */
  NameTable(Name[] names, V[] vals) {
    int capacity = Integer.highestOneBit(Math.max(4, names.length * 2 - 1)) << 1;
    keys = new byte[capacity][];
    values = new Object[capacity];
    mask = capacity - 1;
    for (int i = 0; i < names.length; i++) {
      byte[] key = lowercaseWire(names[i]);
      int slot = hash(key, 0, key.length) & mask;
      while (keys[slot] != null) {
        if (Arrays.equals(keys[slot], key)) {
          throw new IllegalArgumentException("duplicate name " + names[i]);
        }
        slot = (slot + 1) & mask;
      }
      keys[slot] = key;
      values[slot] = vals[i];
    }
  }

  /** The value for the wire name in {@code name[offset, offset + length)}, or null. */
  @SuppressWarnings("unchecked")
  V get(byte[] name, int offset, int length) {
    int slot = hash(name, offset, length) & mask;
    byte[] key;
    while ((key = keys[slot]) != null) {
      if (key.length == length && equalsFolded(key, name, offset)) {
        return (V) values[slot];
      }
      slot = (slot + 1) & mask;
    }
    return null;
  }

  /** The value for {@code name}, or null (allocates; for the slow path). */
  V get(Name name) {
    byte[] wire = name.toWire();
    return get(wire, 0, wire.length);
  }

  static byte[] lowercaseWire(Name name) {
    byte[] wire = name.toWire();
    for (int i = 0; i < wire.length; i++) {
      wire[i] = (byte) lower(wire[i]);
    }
    return wire;
  }

  private static boolean equalsFolded(byte[] lowerKey, byte[] name, int offset) {
    for (int i = 0; i < lowerKey.length; i++) {
      if (lowerKey[i] != (byte) lower(name[offset + i])) {
        return false;
      }
    }
    return true;
  }

  /**
   * FNV-1a over case-folded bytes. Length bytes are folded too: they are below 64, where folding
   * changes nothing.
   */
  private static int hash(byte[] b, int offset, int length) {
    int h = 0x811c9dc5;
    for (int i = offset; i < offset + length; i++) {
      h = (h ^ lower(b[i])) * 0x01000193;
    }
    return h ^ (h >>> 16);
  }

  private static int lower(byte b) {
    int c = b & 0xff;
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
  }
}
