package dev.headend.dns.server;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * A zone made ready to answer: one node per owner name and per empty non-terminal, each knowing the
 * zone cut above it and its wildcard child, and the responses it gives precomputed as {@link Body}
 * objects. Built once per zone load; read-only afterwards (lazy bodies excepted, which are
 * immutable and safely published).
 *
 * <p>Answering follows RFC 1034 §4.3.2: a name at or below a zone cut gets a referral (except a DS
 * query at the cut itself, which the parent answers); an existing name gets its RRset, a CNAME
 * chased inside the zone, or NODATA; a missing name gets the wildcard at its closest encloser (RFC
 * 4592) or NXDOMAIN; negative answers carry the SOA with the RFC 2308 §3 TTL.
 */
final class PreparedZone {
  private static final int MAX_CNAME_HOPS = 16;
  private static final int MAX_LAZY_BODIES = 64; // per node: bounds what random QTYPEs can cost
  private static final Name WILDCARD = Name.fromConstantString("*");

  final Zone zone;
  final Name origin;
  final Body nodata;
  final Body nxdomain;
  private final NameTable<Node> nodes;
  private final List<Record> negativeSoa;

  /** One owner name (or empty non-terminal) of the zone. */
  static final class Node {
    final Name name;
    final Map<Integer, RRset> rrsets;
    final RRset cname;
    boolean cutHere; // NS below the apex
    Node cut; // the topmost cut at or above this node, or null: data here is authoritative
    Node wildcard; // the "*" child, or null
    int[] types = new int[0];
    Body[] bodies = new Body[0];
    Body referral;
    // bodies built on first use (ANY, CNAME chases per QTYPE): copy-on-write, scanned without
    // allocating; parallel arrays published together through the volatile holder
    private volatile LazyBodies lazy = LazyBodies.EMPTY;

    Node(Name name, Map<Integer, RRset> rrsets) {
      this.name = name;
      this.rrsets = rrsets;
      this.cname = rrsets.get(Type.CNAME);
    }

    Body precomputed(int qtype) {
      for (int i = 0; i < types.length; i++) {
        if (types[i] == qtype) {
          return bodies[i];
        }
      }
      return null;
    }

    Body lazyBody(int qtype) {
      LazyBodies l = lazy;
      for (int i = 0; i < l.types.length; i++) {
        if (l.types[i] == qtype) {
          return l.bodies[i];
        }
      }
      return null;
    }

    synchronized void addLazyBody(int qtype, Body body) {
      LazyBodies l = lazy;
      if (l.types.length < MAX_LAZY_BODIES && lazyBody(qtype) == null) {
        int[] types = Arrays.copyOf(l.types, l.types.length + 1);
        Body[] bodies = Arrays.copyOf(l.bodies, l.bodies.length + 1);
        types[l.types.length] = qtype;
        bodies[l.bodies.length] = body;
        lazy = new LazyBodies(types, bodies);
      }
    }
  }

  private record LazyBodies(int[] types, Body[] bodies) {
    static final LazyBodies EMPTY = new LazyBodies(new int[0], new Body[0]);
  }

  PreparedZone(Zone zone) {
    this.zone = zone;
    this.origin = zone.origin();
    SOARecord soa = zone.soa();
    this.negativeSoa =
        List.of(
            new SOARecord(
                soa.getName(),
                soa.getDClass(),
                Math.min(soa.getTTL(), soa.getMinimum()),
                soa.getHost(),
                soa.getAdmin(),
                soa.getSerial(),
                soa.getRefresh(),
                soa.getRetry(),
                soa.getExpire(),
                soa.getMinimum()));
    this.nodata = Body.builder(Rcode.NOERROR, true).authority(negativeSoa).build();
    this.nxdomain = Body.builder(Rcode.NXDOMAIN, true).authority(negativeSoa).build();

    Map<Name, Node> all = new HashMap<>();
    zone.rrsets().forEach((name, sets) -> all.put(name, new Node(name, sets)));
    for (Name name : new ArrayList<>(all.keySet())) {
      for (int i = 1; i < name.labels() - origin.labels(); i++) {
        all.computeIfAbsent(new Name(name, i), n -> new Node(n, Map.of()));
      }
    }
    for (Node n : all.values()) {
      n.cutHere = !n.name.equals(origin) && n.rrsets.containsKey(Type.NS);
    }
    for (Node n : all.values()) {
      int depth = n.name.labels() - origin.labels(); // labels below the origin
      for (int i = depth - 1; i >= 0 && n.cut == null; i--) { // from just below the apex down
        Node ancestor = all.get(i == 0 ? n.name : new Name(n.name, i));
        if (ancestor != null && ancestor.cutHere) {
          n.cut = ancestor;
        }
      }
      try {
        n.wildcard = all.get(Name.concatenate(WILDCARD, n.name));
      } catch (NameTooLongException e) {
        n.wildcard = null; // no room for a wildcard label
      }
    }
    Name[] names = all.keySet().toArray(new Name[0]);
    Node[] values = new Node[names.length];
    for (int i = 0; i < names.length; i++) {
      values[i] = all.get(names[i]);
    }
    this.nodes = new NameTable<>(names, values);

    for (Node n : values) {
      if (n.cutHere && n.cut == n) {
        n.referral = referral(n);
      }
      boolean answersHere = n.cut == null || n.cut == n; // at a cut: only DS, answered by us
      if (answersHere && !n.rrsets.isEmpty() && n.cname == null) {
        int k = 0;
        n.types = new int[n.rrsets.size()];
        n.bodies = new Body[n.rrsets.size()];
        for (RRset set : n.rrsets.values()) {
          if (n.cut == n && set.getType() != Type.DS) {
            continue;
          }
          n.types[k] = set.getType();
          n.bodies[k++] = answer(set);
        }
        n.types = Arrays.copyOf(n.types, k);
        n.bodies = Arrays.copyOf(n.bodies, k);
      } else if (n.cname != null && n.cut == null) {
        n.types = new int[] {Type.CNAME};
        n.bodies = new Body[] {answer(n.cname)};
      }
    }
  }

  /**
   * The response body for the query name {@code qname[0, length)} (wire form, any case, inside this
   * zone) and {@code qtype}. Allocation-free unless a lazy body is built for the first time.
   */
  Body lookup(byte[] qname, int length, int qtype) {
    Node n = nodes.get(qname, 0, length);
    if (n != null) {
      if (n.cut != null && !(n.cut == n && qtype == Type.DS)) {
        return n.cut.referral;
      }
      return answer(n, qtype);
    }
    int offset = 0;
    while (offset < length - 1) {
      offset += 1 + (qname[offset] & 0xff);
      Node encloser = nodes.get(qname, offset, length - offset);
      if (encloser != null) {
        if (encloser.cut != null) {
          return encloser.cut.referral;
        }
        return encloser.wildcard != null ? answer(encloser.wildcard, qtype) : nxdomain;
      }
    }
    throw new IllegalStateException("query name outside zone " + origin);
  }

  private Body answer(Node n, int qtype) {
    Body b = n.precomputed(qtype);
    if (b != null) {
      return b;
    }
    boolean any = qtype == Type.ANY && !n.rrsets.isEmpty();
    if (!any && (n.cname == null || qtype == Type.CNAME)) {
      return nodata;
    }
    b = n.lazyBody(qtype);
    if (b == null) {
      b = any ? anyBody(n) : chase(n, qtype);
      n.addLazyBody(qtype, b);
    }
    return b;
  }

  // ---- building bodies (cold path) ----------------------------------------------------------

  private Body answer(RRset set) {
    Body.Builder b = Body.builder(Rcode.NOERROR, true).answer(set.rrs(false), true);
    addAddresses(b, set);
    return b.build();
  }

  private Body anyBody(Node n) {
    Body.Builder b = Body.builder(Rcode.NOERROR, true);
    for (RRset set : n.rrsets.values()) {
      b.answer(set.rrs(false), true);
    }
    return b.build();
  }

  /** NS/MX/SRV targets inside the zone get their A and AAAA records as optional extras. */
  private void addAddresses(Body.Builder b, RRset set) {
    for (Record r : set.rrs(false)) {
      Name target = r.getAdditionalName();
      if (target == null || !target.subdomain(origin)) {
        continue;
      }
      Node t = nodes.get(target);
      if (t == null || (t.cut != null && set.getType() != Type.NS)) {
        continue;
      }
      for (int type : new int[] {Type.A, Type.AAAA}) {
        RRset addresses = t.rrsets.get(type);
        if (addresses != null && !b.contains(addresses.first())) {
          b.additional(addresses.rrs(false), false);
        }
      }
    }
  }

  /** NS of the cut in authority; glue below the cut required, other glue in the zone optional. */
  private Body referral(Node cut) {
    RRset ns = cut.rrsets.get(Type.NS);
    Body.Builder b = Body.builder(Rcode.NOERROR, false).authority(ns.rrs(false));
    List<RRset> required = new ArrayList<>();
    List<RRset> optional = new ArrayList<>();
    for (Record r : ns.rrs(false)) {
      Name target = r.getAdditionalName();
      Node t = target.subdomain(origin) ? nodes.get(target) : null;
      if (t == null) {
        continue;
      }
      for (int type : new int[] {Type.A, Type.AAAA}) {
        RRset glue = t.rrsets.get(type);
        if (glue != null) {
          (target.subdomain(cut.name) ? required : optional).add(glue);
        }
      }
    }
    required.forEach(g -> b.additional(g.rrs(false), true));
    optional.forEach(g -> b.additional(g.rrs(false), false));
    return b.build();
  }

  /**
   * A CNAME at the query name, followed inside the zone (RFC 1034 §4.3.2 step 3a, RFC 6604 for the
   * RCODE of the last name). The chain stops at a name outside the zone or at a cut, where the
   * resolver carries on.
   */
  private Body chase(Node start, int qtype) {
    List<Record> chain = new ArrayList<>();
    Map<Name, Boolean> seen = new HashMap<>();
    seen.put(start.name, Boolean.TRUE);
    int rcode = Rcode.NOERROR;
    boolean negative = false;
    RRset last = null;
    Name owner = null; // null: the query name
    Node node = start;
    for (int hop = 0; hop < MAX_CNAME_HOPS; hop++) {
      CNAMERecord c = (CNAMERecord) node.cname.first();
      chain.add(owner == null ? c : c.withName(owner));
      Name target = c.getTarget();
      if (!target.subdomain(origin) || seen.put(target, Boolean.TRUE) != null) {
        break;
      }
      owner = target;
      Node t = nodes.get(target);
      if (t == null) {
        Node encloser = closestEncloser(target);
        if (encloser.cut != null) {
          break;
        }
        if (encloser.wildcard == null) {
          rcode = Rcode.NXDOMAIN;
          negative = true;
          break;
        }
        t = encloser.wildcard;
      } else if (t.cut != null) {
        break;
      }
      RRset found = t.rrsets.get(qtype);
      if (found != null) {
        last = found;
        break;
      }
      if (t.cname == null) {
        negative = true; // NODATA at the end of the chain
        break;
      }
      node = t;
    }
    Body.Builder b = Body.builder(rcode, true);
    b.answer(chain.subList(0, 1), true);
    b.answer(chain.subList(1, chain.size()), false);
    if (last != null) {
      List<Record> renamed = new ArrayList<>();
      for (Record r : last.rrs(false)) {
        renamed.add(r.withName(owner));
      }
      b.answer(renamed, false);
      addAddresses(b, last);
    }
    if (negative) {
      b.authority(negativeSoa);
    }
    return b.build();
  }

  private Node closestEncloser(Name name) {
    for (int i = 1; i < name.labels(); i++) {
      Node n = nodes.get(new Name(name, i));
      if (n != null) {
        return n;
      }
    }
    throw new IllegalStateException(name + " is outside zone " + origin);
  }
}
