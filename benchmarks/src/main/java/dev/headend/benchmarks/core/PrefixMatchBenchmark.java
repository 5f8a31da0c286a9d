package dev.headend.benchmarks.core;

import dev.headend.core.net.IpPrefix;
import dev.headend.core.net.IpPrefixMap;
import dev.headend.core.net.Ipv4Address;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv4.IPv4AddressAssociativeTrie;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * IPv4 longest-prefix match: headend's {@link IpPrefixMap} beside the IPAddress library's
 * associative trie (the Java library a user would pick for this), on the same table and probes.
 *
 * <p>The table mimics a routing table's length mix (mostly /24, some /16-/23, a few short
 * prefixes); half the probes fall inside a table prefix, half are random. Setup checks that both
 * structures give the same answer for every probe, so they do the same work.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PrefixMatchBenchmark {
  private static final int PROBES = 4096; // a power of two

  /** Number of prefixes in the table. */
  @Param({"1000", "100000"})
  public int prefixes;

  private IpPrefixMap<Integer> headendMap;
  private IPv4AddressAssociativeTrie<Integer> ipaddressTrie;
  private Ipv4Address[] headendProbes;
  private int[] probeBits;
  private IPv4Address[] ipaddressProbes;
  private int next;

  /** Builds the table and probes, and checks that both structures agree. */
  @Setup
  public void setUp() {
    Random rnd = new Random(42);
    Map<IpPrefix, Integer> table = new LinkedHashMap<>();
    while (table.size() < prefixes) {
      int len = routingTableLength(rnd);
      table.putIfAbsent(IpPrefix.containing(new Ipv4Address(rnd.nextInt()), len), table.size());
    }
    headendMap = IpPrefixMap.of(table);
    ipaddressTrie = new IPv4AddressAssociativeTrie<>();
    for (Map.Entry<IpPrefix, Integer> e : table.entrySet()) {
      int bits = ((Ipv4Address) e.getKey().address()).value();
      ipaddressTrie.put(new IPv4Address(bits, e.getKey().length()).toPrefixBlock(), e.getValue());
    }
    IpPrefix[] keys = table.keySet().toArray(new IpPrefix[0]);
    headendProbes = new Ipv4Address[PROBES];
    probeBits = new int[PROBES];
    ipaddressProbes = new IPv4Address[PROBES];
    for (int i = 0; i < PROBES; i++) {
      int bits;
      if (i % 2 == 0) {
        IpPrefix p = keys[rnd.nextInt(keys.length)];
        int hostBits = ~Ipv4Address.netmask(p.length()).value();
        bits = ((Ipv4Address) p.address()).value() | (rnd.nextInt() & hostBits);
      } else {
        bits = rnd.nextInt();
      }
      headendProbes[i] = new Ipv4Address(bits);
      probeBits[i] = bits;
      ipaddressProbes[i] = new IPv4Address(bits);
      if (!Objects.equals(headendMap.longestMatch(headendProbes[i]), ipaddress(i))) {
        throw new IllegalStateException("implementations disagree on " + headendProbes[i]);
      }
    }
  }

  private static int routingTableLength(Random rnd) {
    int r = rnd.nextInt(100);
    if (r < 60) {
      return 24;
    }
    if (r < 80) {
      return 19 + rnd.nextInt(5); // 19-23
    }
    if (r < 95) {
      return 12 + rnd.nextInt(7); // 12-18
    }
    return 8 + rnd.nextInt(4); // 8-11
  }

  private Integer ipaddress(int i) {
    var node = ipaddressTrie.longestPrefixMatchNode(ipaddressProbes[i]);
    return node == null ? null : node.getValue();
  }

  /** headend, with a parsed {@link Ipv4Address}. */
  @Benchmark
  public Integer headend() {
    return headendMap.longestMatch(headendProbes[next++ & (PROBES - 1)]);
  }

  /** headend, with the 32 address bits as read off the wire. */
  @Benchmark
  public Integer headendIpv4Bits() {
    return headendMap.longestMatchIpv4(probeBits[next++ & (PROBES - 1)]);
  }

  /** IPAddress library (com.github.seancfoley:ipaddress), its associative trie. */
  @Benchmark
  public Integer ipaddressLibrary() {
    return ipaddress(next++ & (PROBES - 1));
  }
}
