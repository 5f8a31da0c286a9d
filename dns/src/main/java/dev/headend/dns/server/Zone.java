package dev.headend.dns.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * An immutable authoritative zone: its origin, SOA and records grouped into RRsets.
 *
 * <p>Built from an RFC 1035 master file (dnsjava's parser; {@code $ORIGIN}, {@code $TTL} and {@code
 * $GENERATE} are honoured, {@code $INCLUDE} is refused so a zone file cannot read other files) or
 * from records in code. Loading checks what a zone must be: class IN only; every owner at or below
 * the origin; exactly one SOA, at the origin; NS records at the origin; a CNAME alone at its name
 * and never at the origin (RFC 1034 §3.6.2, RFC 2181 §10.1). Duplicate records are merged and an
 * RRset's TTLs lowered to its smallest (RFC 2181 §5).
 *
 * <pre>{@code
 * Zone zone = Zone.parse(Path.of("example.test.zone"), Name.fromString("example.test."));
 * Zone built = Zone.of(origin, List.of(soa, ns, a));
 * }</pre>
 */
public final class Zone {
  private final Name origin;
  private final SOARecord soa;
  private final Map<Name, Map<Integer, RRset>> rrsets; // by owner, then type; insertion order
  private final int size;

  private Zone(Name origin, SOARecord soa, Map<Name, Map<Integer, RRset>> rrsets, int size) {
    this.origin = origin;
    this.soa = soa;
    this.rrsets = rrsets;
    this.size = size;
  }

  /**
   * Reads a master file.
   *
   * @throws ZoneException if it does not parse or does not form a valid zone
   * @throws IOException if it cannot be read
   */
  public static Zone parse(Path file, Name origin) throws IOException, ZoneException {
    try (InputStream in = Files.newInputStream(file)) {
      return parse(in, origin, file.getFileName().toString());
    }
  }

  /**
   * Reads a master file from {@code in}; {@code source} names it in error messages.
   *
   * @throws ZoneException if it does not parse or does not form a valid zone
   */
  public static Zone parse(InputStream in, Name origin, String source) throws ZoneException {
    requireAbsolute(origin);
    List<Record> records = new ArrayList<>();
    try (Master master = new Master(in, origin)) {
      master.disableIncludes();
      master.expandGenerate(true);
      Record r;
      while ((r = master.nextRecord()) != null) {
        records.add(r);
      }
    } catch (TextParseException e) {
      throw new ZoneException(String.valueOf(e.getMessage()).replaceFirst("^<none>", source), e);
    } catch (IOException e) {
      throw new ZoneException(source + ": " + e.getMessage(), e);
    }
    return of(origin, records);
  }

  /**
   * Reads a master file held in a string (zones written in code or tests).
   *
   * @throws ZoneException if it does not parse or does not form a valid zone
   */
  public static Zone fromText(Name origin, String masterFile) throws ZoneException {
    return parse(
        new ByteArrayInputStream(masterFile.getBytes(StandardCharsets.UTF_8)),
        origin,
        origin.toString());
  }

  /**
   * A zone of the given records.
   *
   * @throws ZoneException if they do not form a valid zone
   */
  public static Zone of(Name origin, Iterable<? extends Record> records) throws ZoneException {
    requireAbsolute(origin);
    Map<Name, Map<Integer, RRset>> byName = new LinkedHashMap<>();
    int count = 0;
    for (Record r : records) {
      if (r.getDClass() != DClass.IN) {
        throw new ZoneException(
            "zone " + origin + ": class " + DClass.string(r.getDClass()) + " is not served: " + r);
      }
      if (!r.getName().subdomain(origin)) {
        throw new ZoneException("zone " + origin + ": owner outside the zone: " + r);
      }
      if (!Type.isRR(r.getType())) {
        throw new ZoneException("zone " + origin + ": meta type cannot be zone data: " + r);
      }
      RRset set =
          byName
              .computeIfAbsent(r.getName(), n -> new LinkedHashMap<>())
              .computeIfAbsent(r.getType(), t -> new RRset());
      int before = set.size();
      set.addRR(r);
      count += set.size() - before;
    }
    Map<Integer, RRset> apex = byName.get(origin);
    RRset soaSet = apex == null ? null : apex.get(Type.SOA);
    if (soaSet == null) {
      throw new ZoneException("zone " + origin + ": no SOA record at the origin");
    }
    if (soaSet.size() != 1) {
      throw new ZoneException("zone " + origin + ": " + soaSet.size() + " SOA records; one needed");
    }
    if (!apex.containsKey(Type.NS)) {
      throw new ZoneException("zone " + origin + ": no NS records at the origin");
    }
    for (Map.Entry<Name, Map<Integer, RRset>> e : byName.entrySet()) {
      Map<Integer, RRset> sets = e.getValue();
      if (sets.get(Type.SOA) != null && !e.getKey().equals(origin)) {
        throw new ZoneException(
            "zone " + origin + ": SOA record below the origin at " + e.getKey());
      }
      RRset cname = sets.get(Type.CNAME);
      if (cname != null) {
        if (cname.size() > 1) {
          throw new ZoneException("zone " + origin + ": more than one CNAME at " + e.getKey());
        }
        if (sets.size() > 1) {
          throw new ZoneException(
              "zone " + origin + ": CNAME and other data at " + e.getKey() + " (RFC 2181 §10.1)");
        }
      }
    }
    Map<Name, Map<Integer, RRset>> frozen = new LinkedHashMap<>();
    byName.forEach((name, sets) -> frozen.put(name, Collections.unmodifiableMap(sets)));
    return new Zone(origin, (SOARecord) soaSet.first(), Collections.unmodifiableMap(frozen), count);
  }

  /** The zone's origin (apex) name. */
  public Name origin() {
    return origin;
  }

  /** The SOA record. */
  public SOARecord soa() {
    return soa;
  }

  /** The SOA serial. */
  public long serial() {
    return soa.getSerial();
  }

  /** Number of records (after duplicates are merged). */
  public int size() {
    return size;
  }

  /** The RRset of {@code type} at {@code name}, or null. */
  public RRset find(Name name, int type) {
    Map<Integer, RRset> sets = rrsets.get(name);
    return sets == null ? null : sets.get(type);
  }

  /** Every record: the SOA first, then the rest by owner in load order. */
  public List<Record> records() {
    List<Record> all = new ArrayList<>(size);
    all.add(soa);
    for (Map<Integer, RRset> sets : rrsets.values()) {
      for (RRset set : sets.values()) {
        if (set.getType() != Type.SOA) {
          all.addAll(set.rrs(false));
        }
      }
    }
    return all;
  }

  /** RRsets by owner name, then by type (unmodifiable). */
  Map<Name, Map<Integer, RRset>> rrsets() {
    return rrsets;
  }

  @Override
  public String toString() {
    return "Zone[" + origin + " serial " + serial() + ", " + size + " records]";
  }

  private static void requireAbsolute(Name origin) throws ZoneException {
    Objects.requireNonNull(origin, "origin");
    if (!origin.isAbsolute()) {
      throw new ZoneException("zone origin must be absolute (end with a dot): " + origin);
    }
  }
}
