package dev.headend.dns.server;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.Name;

/**
 * The zones a server is authoritative for. Immutable; a server swaps in a new set atomically
 * ({@link AuthoritativeServer#replaceZones}). Origins must be distinct; a zone may sit below
 * another (a delegated child served by the same server), and a query goes to the zone with the
 * longest matching origin.
 */
public final class ZoneSet {
  private final Map<Name, Zone> zones;

  private ZoneSet(Map<Name, Zone> zones) {
    this.zones = zones;
  }

  /**
   * A set of the given zones.
   *
   * @throws IllegalArgumentException if two zones share an origin
   */
  public static ZoneSet of(Collection<Zone> zones) {
    Map<Name, Zone> byOrigin = new LinkedHashMap<>();
    for (Zone z : zones) {
      if (byOrigin.put(z.origin(), z) != null) {
        throw new IllegalArgumentException("two zones with origin " + z.origin());
      }
    }
    return new ZoneSet(Map.copyOf(byOrigin));
  }

  /** A set of the given zones. */
  public static ZoneSet of(Zone... zones) {
    return of(List.of(zones));
  }

  /** The zone with exactly this origin, or null. */
  public Zone get(Name origin) {
    return zones.get(origin);
  }

  /** The zones, in no particular order. */
  public Collection<Zone> zones() {
    return zones.values();
  }

  @Override
  public String toString() {
    return "ZoneSet" + zones.values();
  }
}
