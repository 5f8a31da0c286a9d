package dev.headend.dhcp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headend.core.net.IpPrefix;
import dev.headend.core.net.Ipv4Address;
import dev.headend.testkit.Captures;
import dev.headend.testkit.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Properties of the codec: built and hand-laid-out messages round-trip byte for byte, and no input
 * — random bytes, random options after a valid header, or mutations of real captures — makes the
 * decoder or any typed accessor throw anything but {@link MalformedDhcpMessageException}.
 */
class DhcpPropertiesTest {

  // ---- round trips

  @Property(tries = 300)
  void builtMessagesRoundTrip(
      @ForAll("headers") DhcpMessage.Builder builder,
      @ForAll("optionMaps") Map<Integer, byte[]> options,
      @ForAll("maxLengths") Optional<Integer> maxLength)
      throws Exception {
    options.forEach(builder::option);
    maxLength.ifPresent(builder::maxLength);
    DhcpMessage built;
    try {
      built = builder.build();
    } catch (IllegalStateException tooBig) {
      Assume.that(false);
      return;
    }
    maxLength.ifPresent(max -> assertTrue(built.length() <= max));
    assertTrue(built.length() >= DhcpCodec.BOOTP_MIN_LENGTH);
    byte[] wire = built.encode();
    DhcpMessage decoded = DhcpCodec.decode(ByteBuffer.wrap(wire));
    assertEquals(built, decoded);
    assertArrayEquals(wire, decoded.encode());
    List<Integer> codes = new ArrayList<>(decoded.optionCodes());
    codes.remove(Integer.valueOf(52));
    assertEquals(options.keySet(), new HashSet<>(codes));
    for (Map.Entry<Integer, byte[]> e : options.entrySet()) {
      assertArrayEquals(
          e.getValue(), decoded.option(e.getKey()).orElseThrow(), "option " + e.getKey());
    }
    DhcpMessage copy = decoded.toBuilder().build(); // laid out anew, without overloading
    for (Map.Entry<Integer, byte[]> e : options.entrySet()) {
      assertArrayEquals(e.getValue(), copy.option(e.getKey()).orElseThrow());
    }
  }

  /**
   * A hand-laid-out message: options with pads between them, END or not, junk after END, sname and
   * file overloaded or not; the decoder must hand back the same bytes and the RFC 3396
   * concatenation of each code, options field first, then file, then sname.
   */
  @Property(tries = 500)
  void handLaidOutMessagesRoundTripAndConcatenateInRfc3396Order(
      @ForAll("areas") Area options,
      @ForAll("fieldAreas") Area file,
      @ForAll("snameAreas") Area sname,
      @ForAll("overloads") int overload)
      throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] header = Wire.header();
    if ((overload & 1) != 0) {
      System.arraycopy(file.bytes(), 0, header, Wire.FILE, 128);
    }
    if ((overload & 2) != 0) {
      System.arraycopy(sname.bytes(), 0, header, Wire.SNAME, 64);
    }
    out.writeBytes(header);
    out.writeBytes(new byte[] {0x63, (byte) 0x82, 0x53, 0x63});
    if (overload != 0) {
      out.writeBytes(new byte[] {52, 1, (byte) overload});
    }
    out.writeBytes(options.bytes());
    byte[] wire = out.toByteArray();

    DhcpMessage m = DhcpCodec.decode(wire);
    assertArrayEquals(wire, m.encode());
    Map<Integer, ByteArrayOutputStream> expected = new LinkedHashMap<>();
    options.collect(expected);
    if ((overload & 1) != 0) {
      file.collect(expected);
    }
    if ((overload & 2) != 0) {
      sname.collect(expected);
    }
    for (Map.Entry<Integer, ByteArrayOutputStream> e : expected.entrySet()) {
      assertArrayEquals(
          e.getValue().toByteArray(), m.option(e.getKey()).orElseThrow(), "option " + e.getKey());
    }
    List<Integer> codes = new ArrayList<>(m.optionCodes());
    if (overload != 0) {
      codes.remove(Integer.valueOf(52));
    }
    assertEquals(new ArrayList<>(expected.keySet()), codes);
  }

  /** Options laid out by hand: (code, value) pairs with pads, END and what follows END. */
  record Area(
      List<Tuple.Tuple2<Integer, byte[]>> options,
      List<Integer> padsBefore,
      boolean end,
      byte[] trailer,
      int size) {
    byte[] bytes() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int i = 0; i < options.size(); i++) {
        out.writeBytes(new byte[padsBefore.get(i)]);
        byte[] v = options.get(i).get2();
        out.write(options.get(i).get1());
        out.write(v.length);
        out.writeBytes(v);
      }
      if (end) {
        out.write(255);
        out.writeBytes(trailer);
      }
      byte[] b = out.toByteArray();
      return size < 0 ? b : Arrays.copyOf(b, size); // a field: zero-filled to its size
    }

    void collect(Map<Integer, ByteArrayOutputStream> into) {
      for (Tuple.Tuple2<Integer, byte[]> o : options) {
        into.computeIfAbsent(o.get1(), c -> new ByteArrayOutputStream()).writeBytes(o.get2());
      }
    }
  }

  @Provide
  Arbitrary<Area> areas() {
    return area(40, 40, -1);
  }

  @Provide
  Arbitrary<Area> fieldAreas() {
    return area(8, 12, 128);
  }

  @Provide
  Arbitrary<Area> snameAreas() {
    return area(4, 10, 64);
  }

  @Provide
  Arbitrary<Integer> overloads() {
    return Arbitraries.integers().between(0, 3);
  }

  /** At most {@code count} options of up to {@code maxValue} bytes; fits {@code size} if >= 0. */
  private static Arbitrary<Area> area(int count, int maxValue, int size) {
    Arbitrary<Integer> codes =
        Arbitraries.integers().between(1, 254).filter(c -> c != 52).injectDuplicates(0.4);
    Arbitrary<Tuple.Tuple2<Integer, byte[]>> option =
        Combinators.combine(codes, Arbitraries.bytes().array(byte[].class).ofMaxSize(maxValue))
            .as(Tuple::of);
    Arbitrary<Area> any =
        option
            .list()
            .ofMaxSize(count)
            .flatMap(
                opts ->
                    Combinators.combine(
                            Arbitraries.integers().between(0, 2).list().ofSize(opts.size()),
                            Arbitraries.of(true, false),
                            Arbitraries.bytes().array(byte[].class).ofMaxSize(size < 0 ? 20 : 0))
                        .as((pads, end, trailer) -> new Area(opts, pads, end, trailer, size)));
    if (size < 0) {
      return any;
    }
    // a field must hold its options (and END, if any); zero pads fill the rest
    return any.filter(a -> rawLength(a) <= size);
  }

  private static int rawLength(Area a) {
    int n = a.end() ? 1 : 0;
    for (int i = 0; i < a.options().size(); i++) {
      n += a.padsBefore().get(i) + 2 + a.options().get(i).get2().length;
    }
    return n;
  }

  @Provide
  Arbitrary<DhcpMessage.Builder> headers() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 255),
            Arbitraries.integers(),
            Arbitraries.integers().between(0, 0xffff),
            Arbitraries.integers(),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(16),
            Arbitraries.strings().withCharRange('!', '~').ofMaxLength(63),
            Arbitraries.strings().withCharRange(' ', '\u00ff').ofMaxLength(127))
        .as(
            (op, xid, flags, addr, chaddr, sname, file) ->
                DhcpMessage.builder()
                    .op(op)
                    .xid(xid)
                    .flags(flags)
                    .ciaddr(new Ipv4Address(addr))
                    .yiaddr(new Ipv4Address(~addr))
                    .giaddr(new Ipv4Address(addr * 31))
                    .chaddr(chaddr)
                    .sname(sname)
                    .file(file.indexOf('\0') >= 0 ? "" : file));
  }

  @Provide
  Arbitrary<Map<Integer, byte[]>> optionMaps() {
    Arbitrary<Integer> codes = Arbitraries.integers().between(1, 254).filter(c -> c != 52);
    Arbitrary<byte[]> values =
        Arbitraries.frequencyOf(
            Tuple.of(8, Arbitraries.bytes().array(byte[].class).ofMaxSize(30)),
            Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMinSize(100).ofMaxSize(700)));
    return Arbitraries.maps(codes, values).ofMaxSize(16);
  }

  @Provide
  Arbitrary<Optional<Integer>> maxLengths() {
    return Arbitraries.integers().between(300, 600).optional(0.6);
  }

  // ---- hostile input

  @Property(tries = 2000)
  void arbitraryBytesOnlyEverRaiseMalformedDhcpMessage(@ForAll("junk") byte[] input) {
    exercise(input);
  }

  @Property(tries = 2000)
  void randomOptionsAfterAValidHeaderOnlyEverRaiseMalformedDhcpMessage(
      @ForAll("optionsJunk") byte[] input) {
    exercise(input);
  }

  @Property(tries = 3000)
  void mutatedCapturesOnlyEverRaiseMalformedDhcpMessage(@ForAll("mutants") byte[] input) {
    exercise(input);
  }

  @Provide
  Arbitrary<byte[]> junk() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(700);
    Arbitrary<byte[]> withCookie =
        Arbitraries.bytes()
            .array(byte[].class)
            .ofMinSize(240)
            .ofMaxSize(700)
            .map(b -> Wire.put(b, 236, 0x63, 0x82, 0x53, 0x63));
    return Arbitraries.oneOf(random, withCookie);
  }

  @Provide
  Arbitrary<byte[]> optionsJunk() {
    // a valid header and cookie, then mostly well-formed options (known codes, short values of
    // small numbers) so the typed accessors see odd contents, with pads, END and stray bytes
    Arbitrary<Byte> small =
        Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.bytes().between((byte) 0, (byte) 40)),
            Tuple.of(1, Arbitraries.of((byte) 0xc0, (byte) 0xff, (byte) 0x80, (byte) 33)),
            Tuple.of(2, Arbitraries.bytes()));
    Arbitrary<Integer> codes =
        Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.of(DhcpOption.known()).map(DhcpOption::code)),
            Tuple.of(1, Arbitraries.integers().between(0, 255)));
    Arbitrary<byte[]> element =
        Arbitraries.frequencyOf(
            Tuple.of(
                12,
                Combinators.combine(codes, small.list().ofMaxSize(24))
                    .as(
                        (code, value) -> {
                          byte[] tlv = new byte[value.size() + 2];
                          tlv[0] = (byte) (int) code;
                          tlv[1] = (byte) value.size();
                          for (int i = 0; i < value.size(); i++) {
                            tlv[i + 2] = value.get(i);
                          }
                          return tlv;
                        })),
            Tuple.of(1, Arbitraries.just(new byte[] {0})),
            Tuple.of(1, Arbitraries.just(new byte[] {(byte) 255})),
            Tuple.of(1, small.map(b -> new byte[] {b})));
    Arbitrary<byte[]> area =
        element
            .list()
            .ofMaxSize(16)
            .map(
                list -> {
                  ByteArrayOutputStream out = new ByteArrayOutputStream();
                  list.forEach(out::writeBytes);
                  return out.toByteArray();
                });
    return Combinators.combine(area, area, area, Arbitraries.integers().between(0, 3))
        .as(
            (opts, file, sname, overload) -> {
              byte[] w = Wire.dhcp();
              if (overload > 0) {
                System.arraycopy(file, 0, w, Wire.FILE, Math.min(128, file.length));
                System.arraycopy(sname, 0, w, Wire.SNAME, Math.min(64, sname.length));
              }
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              out.writeBytes(w);
              if (overload > 0) {
                out.writeBytes(new byte[] {52, 1, (byte) (int) overload});
              }
              out.writeBytes(opts);
              return out.toByteArray();
            });
  }

  private static final List<byte[]> SEEDS = seeds();

  private static List<byte[]> seeds() {
    List<byte[]> seeds = new ArrayList<>();
    try (Stream<Path> files = Files.list(TestData.path("dhcp", "tcpdump"))) {
      for (Path p : files.filter(f -> f.toString().endsWith(".pcap")).toList()) {
        Captures.udp(p).stream()
            .filter(d -> d.involvesPort(67, 68))
            .forEach(d -> seeds.add(d.payload()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String f :
        List.of(
            "dhcp__dhcp.pcap",
            "dhcp__dhcp_inform.pcap",
            "dhcp__dhcp_time_and_nameserver.pcap",
            "dhcp__dhcp_bad_cookie_option_retention.pcap")) {
      Captures.udp(TestData.path("dhcp", "zeek", f)).forEach(d -> seeds.add(d.payload()));
    }
    seeds.add(
        HexFormat.of().parseHex(TestData.text("dhcp", "kea", "discover-example.hex").strip()));
    seeds.add(
        DhcpMessage.builder()
            .maxLength(300)
            .messageType(DhcpMessageType.ACK)
            .relayAgentInfo(
                RelayAgentInfo.builder()
                    .circuitId(new byte[] {1, 2})
                    .remoteId(new byte[] {3})
                    .build())
            .clientFqdn(ClientFqdn.of(5, "a.example."))
            .classlessRoutes(
                List.of(
                    ClasslessRoute.of("10.0.0.0/8", "10.0.0.1"),
                    ClasslessRoute.of("0.0.0.0/0", "10.0.0.1")))
            .set(DhcpOption.USER_CLASS, List.of("x", "yz"))
            .option(224, new byte[150])
            .build()
            .encode());
    return seeds;
  }

  @Provide
  Arbitrary<byte[]> mutants() {
    Arbitrary<Tuple.Tuple3<Boolean, Integer, Byte>> edit =
        Combinators.combine(
                Arbitraries.of(true, false),
                Arbitraries.integers().between(0, 100_000),
                Arbitraries.oneOf(
                    Arbitraries.bytes(), Arbitraries.bytes().between((byte) 0, (byte) 8)))
            .as(Tuple::of);
    Arbitrary<Integer> resize =
        Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.just(0)), Tuple.of(1, Arbitraries.integers().between(-40, 40)));
    return Combinators.combine(Arbitraries.of(SEEDS), edit.list().ofMinSize(1).ofMaxSize(3), resize)
        .as(
            (seed, edits, by) -> {
              byte[] m = seed.clone();
              for (Tuple.Tuple3<Boolean, Integer, Byte> e : edits) {
                // half the edits land in the options field, half anywhere
                int from = e.get1() && m.length > 240 ? 240 : 0;
                if (m.length > from) {
                  m[from + e.get2() % (m.length - from)] = e.get3();
                }
              }
              return Arrays.copyOf(m, Math.max(0, m.length + by));
            });
  }

  /** Decodes and reads everything; only the module's error may come out. */
  private static void exercise(byte[] input) {
    DhcpMessage m;
    try {
      m = DhcpCodec.decode(input);
    } catch (MalformedDhcpMessageException e) {
      assertTrue(e.offset() >= 0 && e.offset() <= Math.max(input.length, DhcpCodec.MAX_LENGTH));
      return;
    }
    assertArrayEquals(input, m.encode(), "whatever decodes re-encodes to the same bytes");
    for (DhcpOption<?> option : DhcpOption.known()) {
      try {
        m.get(option).ifPresent(DhcpPropertiesTest::touch);
      } catch (MalformedDhcpMessageException e) {
        assertTrue(e.offset() >= 0 && e.offset() <= m.length(), e.getMessage());
        assertTrue(e.getMessage().startsWith("option " + option.code() + " ("), e.getMessage());
      }
    }
    for (Method method : DhcpMessage.class.getMethods()) {
      if (method.getParameterCount() == 0
          && !Modifier.isStatic(method.getModifiers())
          && method.getDeclaringClass() == DhcpMessage.class) {
        try {
          touch(method.invoke(m));
        } catch (InvocationTargetException e) {
          if (!(e.getCause() instanceof MalformedDhcpMessageException)) {
            throw new AssertionError(method.getName() + " threw " + e.getCause(), e.getCause());
          }
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    for (int code = 0; code < 256; code++) {
      m.option(code);
    }
    // a rebuilt copy keeps every option value
    DhcpMessage copy = m.toBuilder().build();
    for (int code : m.optionCodes()) {
      if (code != 52) {
        assertArrayEquals(m.option(code).orElseThrow(), copy.option(code).orElseThrow());
      }
    }
  }

  /** Calls every public no-argument method of a typed value (and of Optionals and lists). */
  private static void touch(Object value) {
    if (value instanceof Optional<?> o) {
      o.ifPresent(DhcpPropertiesTest::touch);
      return;
    }
    if (value instanceof List<?> list) {
      list.forEach(DhcpPropertiesTest::touch);
      return;
    }
    if (value == null || !value.getClass().getPackageName().equals("dev.headend.dhcp.wire")) {
      String.valueOf(value);
      return;
    }
    for (Method method : value.getClass().getMethods()) {
      if (method.getParameterCount() == 0
          && !Modifier.isStatic(method.getModifiers())
          && method.getDeclaringClass().getPackageName().equals("dev.headend.dhcp.wire")) {
        try {
          Object r = method.invoke(value);
          if (r instanceof Optional<?> || r instanceof List<?>) {
            touch(r);
          }
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(method + " on " + value, e);
        }
      }
    }
  }

  // ---- typed values

  @Property(tries = 300)
  void domainNamesRoundTripThroughTheirTextForm(
      @ForAll("labels") List<byte[]> labels, @ForAll boolean fullyQualified) throws Exception {
    ByteArrayOutputStream name = new ByteArrayOutputStream();
    name.write(ClientFqdn.FLAG_E);
    name.write(0);
    name.write(0);
    for (byte[] l : labels) {
      name.write(l.length);
      name.writeBytes(l);
    }
    if (fullyQualified) {
      name.write(0);
    }
    Assume.that(name.size() - 3 <= 255);
    ClientFqdn decoded = ClientFqdn.decode(OptionValue.detached("fqdn", name.toByteArray()));
    assertEquals(fullyQualified, decoded.isFullyQualified());
    ClientFqdn rebuilt = ClientFqdn.of(ClientFqdn.FLAG_E, decoded.domainName());
    assertArrayEquals(name.toByteArray(), rebuilt.toBytes(), decoded.domainName());
  }

  @Provide
  Arbitrary<List<byte[]>> labels() {
    Arbitrary<Byte> b =
        Arbitraries.oneOf(
            Arbitraries.bytes(), Arbitraries.of((byte) '.', (byte) '\\', (byte) 'a', (byte) '0'));
    return b.list().ofMinSize(1).ofMaxSize(63).map(DhcpPropertiesTest::toArray).list().ofMaxSize(6);
  }

  private static byte[] toArray(List<Byte> bytes) {
    byte[] out = new byte[bytes.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = bytes.get(i);
    }
    return out;
  }

  @Property(tries = 300)
  void classlessRoutesRoundTrip(@ForAll("routes") List<ClasslessRoute> routes) throws Exception {
    DhcpMessage m = DhcpMessage.builder().classlessRoutes(routes).build();
    assertEquals(routes, DhcpCodec.decode(m.encode()).classlessRoutes().orElseThrow());
  }

  @Provide
  Arbitrary<List<ClasslessRoute>> routes() {
    return Combinators.combine(
            Arbitraries.integers(), Arbitraries.integers().between(0, 32), Arbitraries.integers())
        .as(
            (dest, width, router) ->
                new ClasslessRoute(
                    IpPrefix.containing(new Ipv4Address(dest), width), new Ipv4Address(router)))
        .list()
        .ofMinSize(1)
        .ofMaxSize(80);
  }

  @Property(tries = 200)
  void relayAgentInformationRoundTrips(
      @ForAll("subOptions") List<Tuple.Tuple2<Integer, byte[]>> subOptions) throws Exception {
    RelayAgentInfo.Builder b = RelayAgentInfo.builder();
    for (Tuple.Tuple2<Integer, byte[]> s : subOptions) {
      b.add(s.get1(), s.get2());
    }
    RelayAgentInfo info = b.build();
    DhcpMessage m = DhcpMessage.builder().relayAgentInfo(info).build();
    RelayAgentInfo back = DhcpCodec.decode(m.encode()).relayAgentInfo().orElseThrow();
    assertEquals(info, back);
    assertEquals(subOptions.stream().map(Tuple.Tuple2::get1).toList(), back.codes());
  }

  @Provide
  Arbitrary<List<Tuple.Tuple2<Integer, byte[]>>> subOptions() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 255).filter(c -> c != 5 && c != 11),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(255))
        .as(Tuple::of)
        .list()
        .ofMaxSize(5);
  }
}
