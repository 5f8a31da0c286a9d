package dev.headend.benchmarks.core;

import com.google.common.net.InetAddresses;
import dev.headend.core.net.IpAddress;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
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
 * Parsing and formatting address literals: headend beside the JDK ({@link InetAddress} on a
 * literal, which does no lookup), Guava's {@link InetAddresses} and the IPAddress library. All four
 * produce canonical RFC 5952 text except the JDK, which never compresses IPv6.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AddressTextBenchmark {

  /** The literal to parse (and the address to format). */
  @Param({"192.0.2.235", "2001:db8:85a3::8a2e:370:7334"})
  public String text;

  private byte[] bytes;

  /** The address's bytes, from which each format benchmark builds its library's value. */
  @Setup
  public void setUp() throws UnknownHostException {
    bytes = InetAddress.getByName(text).getAddress();
  }

  /** headend parse. */
  @Benchmark
  public IpAddress parseHeadend() {
    return IpAddress.parse(text);
  }

  /** JDK parse of a literal. */
  @Benchmark
  public InetAddress parseJdk() throws UnknownHostException {
    return InetAddress.getByName(text);
  }

  /** Guava parse. */
  @Benchmark
  public InetAddress parseGuava() {
    return InetAddresses.forString(text);
  }

  /** IPAddress library parse. */
  @Benchmark
  public IPAddress parseIpaddressLibrary() {
    return new IPAddressString(text).getAddress();
  }

  // Formatting starts from the bytes, as when printing an address read off the wire: a library
  // that caches its text inside the address object (IPAddress does) must still produce it.

  /** headend: bytes to canonical text. */
  @Benchmark
  public String formatHeadend() {
    return IpAddress.ofBytes(bytes).toString();
  }

  /** JDK: bytes to text (IPv6 uncompressed). */
  @Benchmark
  public String formatJdk() throws UnknownHostException {
    return InetAddress.getByAddress(bytes).getHostAddress();
  }

  /** Guava: bytes to canonical text. */
  @Benchmark
  public String formatGuava() throws UnknownHostException {
    return InetAddresses.toAddrString(InetAddress.getByAddress(bytes));
  }

  /** IPAddress library: bytes to canonical text. */
  @Benchmark
  public String formatIpaddressLibrary() {
    IPAddress a = bytes.length == 4 ? new IPv4Address(bytes) : new IPv6Address(bytes);
    return a.toCanonicalString();
  }
}
