package dev.headend.core.net;

import java.util.Arrays;

/**
 * Immutable longest-prefix-match index for one address family: a multibit trie with 4-bit strides
 * and path compression.
 *
 * <p>Addresses are left-aligned in two longs (IPv4 uses the top 32 bits of {@code hi}). A node
 * dispatches on one nibble ({@code depth}) and has 16 slots, each holding a child node and the
 * longest prefix ending inside that slot's nibble (prefixes shorter than the nibble boundary are
 * expanded over the slots they cover). Chains of nodes with one child and no values are skipped: a
 * node keeps the bits above its depth ({@code key}) and a lookup stops where they differ. So an
 * IPv4 lookup reads at most 8 nodes, and the node count stays below twice the prefix count.
 */
final class NibbleTrie {
  private static final int SLOT_INTS = 2; // child, value+1
  private static final int NODE_INTS = 16 * SLOT_INTS;

  private final int width;
  private final int defaultValue; // value index + 1 of the /0 prefix, or 0
  private int[] slots;
  private byte[] depth;
  private long[] keyHi;
  private long[] keyLo;
  private int nodes;

  // build-time input, dropped after construction
  private long[] hi;
  private long[] lo;
  private int[] len;
  private int[] val;

  /**
   * @param hi,lo left-aligned network addresses
   * @param len prefix lengths, 1..width
   * @param val value indexes
   * @param count entries used in the arrays (sorted here; the arrays are reordered)
   * @param defaultValue value index of the /0 prefix, or -1
   */
  NibbleTrie(int width, long[] hi, long[] lo, int[] len, int[] val, int count, int defaultValue) {
    this.width = width;
    this.defaultValue = defaultValue + 1;
    this.hi = hi;
    this.lo = lo;
    this.len = len;
    this.val = val;
    int capacity = Math.max(1, count);
    slots = new int[capacity * NODE_INTS];
    depth = new byte[capacity];
    keyHi = new long[capacity];
    keyLo = new long[capacity];
    if (count > 0) {
      Integer[] boxed = new Integer[count];
      for (int i = 0; i < count; i++) {
        boxed[i] = i;
      }
      Arrays.sort(boxed, this::compareEntries);
      int[] order = new int[count];
      for (int i = 0; i < count; i++) {
        order[i] = boxed[i];
      }
      build(order, 0, count, new int[count]);
    }
    slots = Arrays.copyOf(slots, nodes * NODE_INTS);
    depth = Arrays.copyOf(depth, nodes);
    keyHi = Arrays.copyOf(keyHi, nodes);
    keyLo = Arrays.copyOf(keyLo, nodes);
    this.hi = null;
    this.lo = null;
    this.len = null;
    this.val = null;
  }

  /** Value index of the longest prefix containing the address, or -1. */
  int lookup(long addrHi, long addrLo) {
    int best = defaultValue;
    if (nodes == 0) {
      return best - 1;
    }
    int node = 0;
    while (true) {
      int d = depth[node];
      if (d > 0 && !sharesBits(addrHi, addrLo, keyHi[node], keyLo[node], d << 2)) {
        return best - 1;
      }
      int slot = node * NODE_INTS + (nibble(addrHi, addrLo, d) << 1);
      int v = slots[slot + 1];
      if (v != 0) {
        best = v;
      }
      int child = slots[slot];
      if (child == 0) {
        return best - 1;
      }
      node = child;
    }
  }

  /** IPv4 fast path of {@link #lookup}. */
  int lookupIpv4(int address) {
    int best = defaultValue;
    if (nodes == 0) {
      return best - 1;
    }
    int node = 0;
    while (true) {
      int d = depth[node];
      if (d > 0 && ((address ^ (int) (keyHi[node] >>> 32)) >>> (32 - (d << 2))) != 0) {
        return best - 1;
      }
      int slot = node * NODE_INTS + ((address >>> (28 - (d << 2)) & 0xf) << 1);
      int v = slots[slot + 1];
      if (v != 0) {
        best = v;
      }
      int child = slots[slot];
      if (child == 0) {
        return best - 1;
      }
      node = child;
    }
  }

  int nodeCount() {
    return nodes;
  }

  /** Builds the node for entries {@code order[from, to)}, which share every bit above it. */
  private int build(int[] order, int from, int to, int[] scratch) {
    int minLen = width;
    for (int i = from; i < to; i++) {
      minLen = Math.min(minLen, len[order[i]]);
    }
    int common = commonBits(order[from], order[to - 1]); // sorted, so common to all
    int d = Math.min((minLen - 1) >> 2, common >> 2);
    int node = newNode(d, order[from]);
    int boundary = (d << 2) + 4; // prefixes this long or shorter end in this node

    // stable partition: deeper entries stay in order[from, split); ending ones go to scratch
    int split = from;
    int ending = 0;
    for (int i = from; i < to; i++) {
      int e = order[i];
      if (len[e] <= boundary) {
        scratch[ending++] = e;
      } else {
        order[split++] = e;
      }
    }
    // shorter prefixes first, so a longer one overwrites the slots it shares with them
    int[] ends = Arrays.copyOf(scratch, ending);
    sortByLength(ends);
    System.arraycopy(ends, 0, order, split, ending);
    for (int e : ends) {
      int first = nibble(hi[e], lo[e], d);
      int span = 1 << (boundary - len[e]);
      for (int s = first; s < first + span; s++) {
        slots[node * NODE_INTS + (s << 1) + 1] = val[e] + 1;
      }
    }
    int i = from;
    while (i < split) {
      int nib = nibble(hi[order[i]], lo[order[i]], d);
      int j = i + 1;
      while (j < split && nibble(hi[order[j]], lo[order[j]], d) == nib) {
        j++;
      }
      int child = build(order, i, j, scratch);
      slots[node * NODE_INTS + (nib << 1)] = child;
      i = j;
    }
    return node;
  }

  private int newNode(int d, int entry) {
    if (nodes == depth.length) {
      int capacity = nodes * 2;
      slots = Arrays.copyOf(slots, capacity * NODE_INTS);
      depth = Arrays.copyOf(depth, capacity);
      keyHi = Arrays.copyOf(keyHi, capacity);
      keyLo = Arrays.copyOf(keyLo, capacity);
    }
    int bits = d << 2;
    depth[nodes] = (byte) d;
    keyHi[nodes] = hi[entry] & Ipv6Address.maskHigh(bits);
    keyLo[nodes] = lo[entry] & Ipv6Address.maskLow(bits);
    return nodes++;
  }

  private int compareEntries(int a, int b) {
    int c = Long.compareUnsigned(hi[a], hi[b]);
    if (c == 0) {
      c = Long.compareUnsigned(lo[a], lo[b]);
    }
    return c != 0 ? c : Integer.compare(len[a], len[b]);
  }

  private int commonBits(int a, int b) {
    long x = hi[a] ^ hi[b];
    int bits =
        x != 0 ? Long.numberOfLeadingZeros(x) : 64 + Long.numberOfLeadingZeros(lo[a] ^ lo[b]);
    return Math.min(bits, width);
  }

  private void sortByLength(int[] entries) {
    for (int i = 1; i < entries.length; i++) {
      int e = entries[i];
      int j = i - 1;
      while (j >= 0 && len[entries[j]] > len[e]) {
        entries[j + 1] = entries[j];
        j--;
      }
      entries[j + 1] = e;
    }
  }

  private static boolean sharesBits(long aHi, long aLo, long bHi, long bLo, int bits) {
    if (bits <= 64) {
      return ((aHi ^ bHi) & Ipv6Address.maskHigh(bits)) == 0;
    }
    return aHi == bHi && ((aLo ^ bLo) & Ipv6Address.maskLow(bits)) == 0;
  }

  private static int nibble(long hi, long lo, int d) {
    return d < 16
        ? (int) (hi >>> (60 - (d << 2))) & 0xf
        : (int) (lo >>> (60 - ((d - 16) << 2))) & 0xf;
  }
}
