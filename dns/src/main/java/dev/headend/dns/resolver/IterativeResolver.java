package dev.headend.dns.resolver;

import dev.headend.core.DatagramEngine;
import dev.headend.core.Transmit;
import dev.headend.core.net.IpAddress;
import dev.headend.core.net.IpPrefix;
import dev.headend.core.net.IpPrefixMap;
import dev.headend.dns.resolver.DnsCache.Credibility;
import dev.headend.dns.resolver.ResolutionTask.ApiWaiter;
import dev.headend.dns.resolver.ResolutionTask.ClientWaiter;
import dev.headend.dns.resolver.ResolutionTask.NameServer;
import dev.headend.dns.resolver.ResolutionTask.Waiter;
import dev.headend.dns.wire.DnsQuery;
import dev.headend.dns.wire.DnsTruncation;
import dev.headend.dns.wire.MalformedDnsMessageException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.random.RandomGenerator;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * An iterative (recursive, in DNS parlance) resolver as a sans-I/O datagram engine: it walks the
 * tree from root hints, following referrals and CNAMEs, caching what it learns, and answers both
 * API callers and DNS clients.
 *
 * <p>One engine plays both sides of a resolver's traffic, told apart by the QR bit:
 *
 * <ul>
 *   <li>datagrams with QR=0 arriving at {@link #handle} are client queries; the responses go out
 *       through {@link #pollTransmit} with QR=1;
 *   <li>the engine's own upstream queries go out through {@link #pollTransmit} (QR=0) — an adapter
 *       should send each from a fresh random port — or, after a truncated answer, as a {@link
 *       ResolverEvent.TcpQuery} for the adapter to carry over TCP; upstream responses (QR=1) come
 *       back through {@link #handle}.
 * </ul>
 *
 * <p>What it does, by rule:
 *
 * <ul>
 *   <li>Referrals are followed only downwards, from the current zone cut towards the name; NS
 *       records and glue are believed only inside the bailiwick of the server that sent them (the
 *       zone cut it was asked as); answers too. NS names without glue are resolved by child
 *       resolutions (depth-capped).
 *   <li>CNAMEs are followed across zones, up to {@code maxCnameChain}.
 *   <li>Every query gets a random ID (from a {@code SecureRandom} unless configured) and,
 *       optionally, a randomized letter case (0x20) that the answer must echo; responses are
 *       matched on server address, port, ID and question, anything else is ignored.
 *   <li>A server that times out, fails (SERVFAIL, REFUSED...), or answers lamely is left for the
 *       next; FORMERR to EDNS is retried without it; TC is retried over TCP.
 *   <li>Each client resolution may send at most {@code maxQueries} queries (address lookups
 *       included) and follow {@code maxReferrals} referrals; running out is SERVFAIL.
 *   <li>Identical questions in flight share one resolution (no duplicate upstream queries).
 *   <li>Answers go in the {@link DnsCache}; with serve-stale, expired data answers when resolution
 *       fails (RFC 8767); popular entries are refreshed before expiry (prefetch).
 *   <li>Only clients in the allowed prefixes are served (REFUSED otherwise): an open resolver is a
 *       traffic amplifier.
 * </ul>
 */
public final class IterativeResolver implements DatagramEngine<ResolverEvent> {
  private static final int FLAG_RD = 0x0100;
  private static final int FLAG_CD = 0x0010;

  private final RootHints hints;
  private final DnsCache cache;
  private final RandomGenerator random;
  private final long udpTimeoutMillis;
  private final long tcpTimeoutMillis;
  private final int maxQueries;
  private final int maxReferrals;
  private final int maxCnameChain;
  private final int maxDepth;
  private final int maxResolutions;
  private final int upstreamPort;
  private final boolean ipv6;
  private final boolean randomizeCase;
  private final boolean prefetch;
  private final boolean primeRoot;
  private static final long PRIMING_RETRY_MILLIS = 60_000;
  private long primedAt = Long.MIN_VALUE / 2;
  private final int payloadSize;
  private final IpPrefixMap<Boolean> clients;

  private final Map<Exchange.Key, Exchange> outstanding = new HashMap<>();
  private final PriorityQueue<Exchange> deadlines =
      new PriorityQueue<>((a, b) -> Long.compare(a.deadline, b.deadline));
  private final Map<QuestionKey, ResolutionTask> active = new HashMap<>();
  private final ArrayDeque<Transmit> udpOut = new ArrayDeque<>();
  private final ArrayDeque<ResolverEvent> events = new ArrayDeque<>();
  private final Map<InetSocketAddress, Boolean> noEdns = new HashMap<>();
  private final DnsQuery clientQuery = new DnsQuery();
  private long nextId;
  private long clientQueries;
  private long cacheAnswers;
  private long upstreamQueries;
  private long timeouts;
  private long ignoredResponses;
  private long servfail;
  private long staleAnswers;
  private long refused;
  private long prefetches;

  private record QuestionKey(Name name, int type) {}

  private IterativeResolver(Builder b) {
    this.hints = b.hints;
    this.cache = b.cache != null ? b.cache : DnsCache.builder().build();
    this.random = b.random != null ? b.random : new SecureRandom();
    this.udpTimeoutMillis = b.udpTimeout.toMillis();
    this.tcpTimeoutMillis = b.tcpTimeout.toMillis();
    this.maxQueries = b.maxQueries;
    this.maxReferrals = b.maxReferrals;
    this.maxCnameChain = b.maxCnameChain;
    this.maxDepth = b.maxDepth;
    this.maxResolutions = b.maxResolutions;
    this.upstreamPort = b.upstreamPort;
    this.ipv6 = b.ipv6;
    this.randomizeCase = b.randomizeCase;
    this.prefetch = b.prefetch;
    // priming learns port-53 addresses: pointless (and wrong) when the hints use other ports
    this.primeRoot =
        b.primeRoot
            && b.hints.servers().stream().allMatch(s -> s.address().getPort() == b.upstreamPort);
    this.payloadSize = b.payloadSize;
    this.clients = b.clients.build();
  }

  /** A builder starting from {@code hints}. */
  public static Builder builder(RootHints hints) {
    return new Builder(hints);
  }

  /** The cache (shared with whoever built it). */
  public DnsCache cache() {
    return cache;
  }

  /**
   * Starts resolving {@code name} and {@code type}; the outcome arrives as a {@link
   * ResolverEvent.Resolved} with the returned id (possibly before this returns, from the cache).
   */
  public long resolve(Instant now, Name name, int type) {
    long requestId = ++nextId;
    Objects.requireNonNull(name, "name");
    if (!name.isAbsolute()) {
      throw new IllegalArgumentException("name must be absolute: " + name);
    }
    start(now, name, type, new ApiWaiter(requestId), false);
    return requestId;
  }

  /**
   * Takes a client query that arrived some other way (over TCP): the response arrives as a {@link
   * ResolverEvent.ResponseReady} with the returned id. {@code maxSize} bounds the response (65,535
   * for TCP).
   */
  public long submit(Instant now, InetSocketAddress client, ByteBuffer query, int maxSize) {
    long requestId = ++nextId;
    clientQuery(now, client, query, requestId, false, maxSize);
    return requestId;
  }

  // ---- the datagram engine --------------------------------------------------------------------

  @Override
  public void handle(Instant now, InetSocketAddress from, ByteBuffer datagram) {
    if (datagram.remaining() >= 4 && (datagram.get(datagram.position() + 2) & 0x80) != 0) {
      upstreamResponse(now, from, datagram);
    } else {
      clientQuery(now, from, datagram, ++nextId, true, 0);
    }
  }

  @Override
  public Transmit pollTransmit() {
    return udpOut.poll();
  }

  @Override
  public Instant pollTimeout() {
    Exchange head;
    while ((head = deadlines.peek()) != null && head.finished) {
      deadlines.poll();
    }
    return head == null ? null : Instant.ofEpochMilli(head.deadline);
  }

  @Override
  public void handleTimeout(Instant now) {
    long t = now.toEpochMilli();
    Exchange head;
    while ((head = deadlines.peek()) != null && (head.finished || head.deadline <= t)) {
      deadlines.poll();
      if (head.finished) {
        continue;
      }
      head.finished = true;
      outstanding.remove(head.key());
      timeouts++;
      ResolutionTask task = head.task;
      task.tried.add(head.server);
      advance(now, task);
    }
  }

  @Override
  public ResolverEvent pollEvent() {
    return events.poll();
  }

  /** Counters since the engine was built. */
  public Statistics statistics() {
    return new Statistics(
        clientQueries,
        cacheAnswers,
        upstreamQueries,
        timeouts,
        ignoredResponses,
        servfail,
        staleAnswers,
        refused,
        prefetches);
  }

  /**
   * Resolver counters.
   *
   * @param clientQueries client queries taken
   * @param cacheAnswers client queries answered from the cache at once
   * @param upstreamQueries queries sent upstream
   * @param timeouts upstream queries that got no answer in time
   * @param ignoredResponses responses that matched no query in flight (late, spoofed, mangled)
   * @param servfail resolutions that ended in SERVFAIL
   * @param staleAnswers answers made of expired data (RFC 8767)
   * @param refused client queries refused (not allowed, or too many in flight)
   * @param prefetches refreshes of popular entries started
   */
  public record Statistics(
      long clientQueries,
      long cacheAnswers,
      long upstreamQueries,
      long timeouts,
      long ignoredResponses,
      long servfail,
      long staleAnswers,
      long refused,
      long prefetches) {}

  // ---- client side ------------------------------------------------------------------------

  private void clientQuery(
      Instant now,
      InetSocketAddress from,
      ByteBuffer datagram,
      long requestId,
      boolean udp,
      int maxSize) {
    clientQueries++;
    DnsQuery q = clientQuery;
    boolean malformed = false;
    try {
      q.read(datagram);
    } catch (MalformedDnsMessageException e) {
      malformed = true;
    }
    if (!q.headerRead() || q.isResponse()) {
      return; // nothing to answer to
    }
    int limit = udp ? q.maxUdpResponse(payloadSize) : maxSize;
    InetSocketAddress udpClient = udp ? from : null;
    if (malformed || q.questionCount() != 1) {
      error(q, requestId, udpClient, Rcode.FORMERR, limit, false);
      return;
    }
    if (!clients.matches(IpAddress.of(from.getAddress()))) {
      refused++;
      error(q, requestId, udpClient, Rcode.REFUSED, limit, true);
      return;
    }
    if (q.opcode() != 0) {
      error(q, requestId, udpClient, Rcode.NOTIMP, limit, true);
      return;
    }
    if (q.hasEdns() && q.ednsVersion() > 0) {
      error(q, requestId, udpClient, Rcode.BADVERS, limit, true);
      return;
    }
    int qtype = q.qtype();
    if (q.qclass() != DClass.IN
        || qtype == Type.AXFR
        || qtype == Type.IXFR
        || qtype == Type.OPT
        || qtype == Type.TSIG
        || qtype == Type.TKEY) {
      error(q, requestId, udpClient, Rcode.REFUSED, limit, true);
      return;
    }
    ClientWaiter waiter =
        new ClientWaiter(
            requestId,
            udpClient,
            q.id(),
            q.flags(),
            q.name(),
            q.qclass(),
            q.hasEdns(),
            q.dnssecOk(),
            limit);
    if (!q.recursionDesired()) {
      // no recursion wanted: what the cache knows, else REFUSED (RFC 1034 §4.3.1 leaves it open)
      Resolution cached = fromCache(now, waiter.qname(), qtype, false);
      if (cached != null) {
        deliver(now, waiter, cached);
      } else {
        error(q, requestId, udpClient, Rcode.REFUSED, limit, true);
      }
      return;
    }
    start(now, waiter.qname(), qtype, waiter, true);
  }

  private void error(
      DnsQuery q,
      long requestId,
      InetSocketAddress udpClient,
      int rcode,
      int limit,
      boolean echoQuestion) {
    Message m = new Message(q.id());
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setFlag(Flags.RA);
    if (q.recursionDesired()) {
      m.getHeader().setFlag(Flags.RD);
    }
    m.getHeader().setOpcode(q.opcode());
    m.getHeader().setRcode(rcode & 0xf);
    if (echoQuestion && q.hasQuestion()) {
      m.addRecord(Record.newRecord(q.name(), q.qtype(), q.qclass()), Section.QUESTION);
    }
    if (q.hasEdns() || rcode > 15) {
      m.addRecord(new OPTRecord(payloadSize, rcode >>> 4, 0, 0), Section.ADDITIONAL);
    }
    send(requestId, udpClient, DnsTruncation.toWire(m, Math.max(512, limit)));
  }

  private void send(long requestId, InetSocketAddress udpClient, byte[] response) {
    if (udpClient != null) {
      udpOut.add(new Transmit(udpClient, ByteBuffer.wrap(response)));
    } else {
      events.add(new ResolverEvent.ResponseReady(requestId, response));
    }
  }

  private void deliver(Instant now, Waiter w, Resolution r) {
    if (w instanceof ResolutionTask.ResumeWaiter resume) {
      ResolutionTask waiting = resume.task();
      waiting.pendingChildren--;
      if (!waiting.done) {
        advance(now, waiting);
      }
      return;
    }
    if (w instanceof ApiWaiter api) {
      events.add(new ResolverEvent.Resolved(api.requestId(), r));
      return;
    }
    ClientWaiter c = (ClientWaiter) w;
    Message m = new Message(c.id());
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setFlag(Flags.RA);
    if ((c.flags() & FLAG_RD) != 0) {
      m.getHeader().setFlag(Flags.RD);
    }
    if ((c.flags() & FLAG_CD) != 0) {
      m.getHeader().setFlag(Flags.CD);
    }
    m.getHeader().setRcode(r.rcode());
    m.addRecord(Record.newRecord(c.qname(), r.type(), c.qclass()), Section.QUESTION);
    for (Record a : r.answer()) {
      m.addRecord(a, Section.ANSWER);
    }
    if (r.soa() != null) {
      m.addRecord(r.soa(), Section.AUTHORITY);
    }
    if (c.edns()) {
      m.addRecord(
          new OPTRecord(payloadSize, 0, 0, c.dnssecOk() ? Flags.DO : 0), Section.ADDITIONAL);
    }
    send(c.requestId(), c.udpClient(), DnsTruncation.toWire(m, Math.max(512, c.maxSize())));
  }

  // ---- resolutions ------------------------------------------------------------------------

  private void start(Instant now, Name name, int type, Waiter waiter, boolean client) {
    Resolution cached = fromCache(now, name, type, false);
    if (cached != null) {
      if (client) {
        cacheAnswers++;
      }
      deliver(now, waiter, cached);
      maybePrefetch(now, name, type);
      return;
    }
    QuestionKey key = new QuestionKey(name, type);
    ResolutionTask running = active.get(key);
    if (running != null) {
      running.waiters.add(waiter);
      return;
    }
    if (active.size() >= maxResolutions) {
      refused++;
      deliver(now, waiter, new Resolution(name, type, Rcode.SERVFAIL, List.of(), null, false, 0));
      return;
    }
    ResolutionTask task =
        new ResolutionTask(++nextId, name, type, null, null, new ResolutionTask.Budget(maxQueries));
    task.waiters.add(waiter);
    active.put(key, task);
    advance(now, task);
  }

  private void maybePrefetch(Instant now, Name name, int type) {
    if (!prefetch) {
      return;
    }
    DnsCache.Entry e = cache.peekFresh(now, name, type);
    QuestionKey key = new QuestionKey(name, type);
    if (e != null && e.wantsPrefetch(now, 2) && !active.containsKey(key)) {
      prefetches++;
      ResolutionTask task =
          new ResolutionTask(
              ++nextId, name, type, null, null, new ResolutionTask.Budget(maxQueries));
      task.bypassCache = true;
      active.put(key, task);
      advance(now, task);
    }
  }

  /**
   * What the cache alone says about {@code name}/{@code type}, following cached CNAMEs, or null
   * when it does not know.
   */
  private Resolution fromCache(Instant now, Name name, int type, boolean allowStale) {
    List<Record> chain = new ArrayList<>();
    Name current = name;
    boolean stale = false;
    for (int hop = 0; hop <= maxCnameChain; hop++) {
      DnsCache.Entry e =
          answerable(
              allowStale ? cache.get(now, current, type) : cache.getFresh(now, current, type));
      if (e != null) {
        stale |= e.isStale(now);
        return switch (e.kind()) {
          case POSITIVE -> {
            chain.addAll(e.records(now));
            yield new Resolution(name, type, Rcode.NOERROR, chain, null, stale, 0);
          }
          case NODATA -> new Resolution(name, type, Rcode.NOERROR, chain, e.soa(now), stale, 0);
          case NXDOMAIN -> new Resolution(name, type, Rcode.NXDOMAIN, chain, e.soa(now), stale, 0);
        };
      }
      if (type == Type.CNAME) {
        return null;
      }
      DnsCache.Entry c =
          answerable(
              allowStale
                  ? cache.get(now, current, Type.CNAME)
                  : cache.getFresh(now, current, Type.CNAME));
      if (c == null || c.kind() != DnsCache.Kind.POSITIVE) {
        return null;
      }
      stale |= c.isStale(now);
      CNAMERecord cname = (CNAMERecord) c.records(now).get(0);
      chain.add(cname);
      current = cname.getTarget();
    }
    return null;
  }

  /** Moves a resolution on until it waits for the network, or finishes. */
  private void advance(Instant now, ResolutionTask task) {
    while (!task.done) {
      if (!task.bypassCache) {
        if (answerFromCache(now, task)) {
          return;
        }
      }
      task.bypassCache = false;
      if (task.servers == null && !findDelegation(now, task)) {
        return; // waiting for the root to be primed
      }
      InetSocketAddress server = nextServer(task);
      if (server != null) {
        if (task.budget.left <= 0) {
          fail(now, task);
          return;
        }
        query(now, task, server, false, !noEdns.containsKey(server));
        return;
      }
      if (startAddressLookups(now, task) > 0 || task.pendingChildren > 0) {
        return; // an NS address is being looked up
      }
      fail(now, task);
      return;
    }
  }

  /**
   * Glue and referral NS records steer resolution but are never an answer (RFC 2181 §5.4.1): null
   * unless the entry is negative or came from an answer section.
   */
  private static DnsCache.Entry answerable(DnsCache.Entry e) {
    return e == null || e.kind() != DnsCache.Kind.POSITIVE || e.credibility() == Credibility.ANSWER
        ? e
        : null;
  }

  /**
   * Finishes the task from the cache if it can; follows cached CNAMEs. An address lookup for a name
   * server may use glue; an answer for a client may not.
   */
  private boolean answerFromCache(Instant now, ResolutionTask task) {
    for (int hop = 0; hop <= maxCnameChain; hop++) {
      DnsCache.Entry e = cache.peekFresh(now, task.qname, task.type);
      if (task.parent == null) {
        e = answerable(e);
      }
      if (e != null) {
        List<Record> answer = new ArrayList<>(task.chain);
        answer.addAll(e.records(now));
        int rcode = e.kind() == DnsCache.Kind.NXDOMAIN ? Rcode.NXDOMAIN : Rcode.NOERROR;
        complete(
            now,
            task,
            rcode,
            answer,
            e.kind() == DnsCache.Kind.POSITIVE ? null : e.soa(now),
            false);
        return true;
      }
      if (task.type == Type.CNAME) {
        return false;
      }
      DnsCache.Entry c = cache.peekFresh(now, task.qname, Type.CNAME);
      if (task.parent == null) {
        c = answerable(c);
      }
      if (c == null || c.kind() != DnsCache.Kind.POSITIVE) {
        return false;
      }
      if (!followCname(now, task, (CNAMERecord) c.records(now).get(0))) {
        return true;
      }
    }
    fail(now, task);
    return true;
  }

  /** Adds a CNAME to the chain and moves to its target; false (and failed) past the limit. */
  private boolean followCname(Instant now, ResolutionTask task, CNAMERecord cname) {
    if (task.chain.size() >= maxCnameChain) {
      fail(now, task);
      return false;
    }
    task.chain.add(cname);
    task.qname = cname.getTarget();
    task.resetDelegation();
    return true;
  }

  /** The closest zone cut with usable servers in the cache, or the root hints. */
  /**
   * Sets the task's servers: the closest zone cut with usable servers in the cache, or the root.
   * Returns false when the task must first wait for root priming.
   */
  private boolean findDelegation(Instant now, ResolutionTask task) {
    Name n = task.qname;
    if (task.startAbove != null && task.startAbove.labels() > 1) {
      n = new Name(task.startAbove, 1); // ask the parent, which has glue for names in the zone
    }
    task.startAbove = null;
    while (true) {
      DnsCache.Entry ns = cache.peekFresh(now, n, Type.NS);
      if (ns != null && ns.kind() == DnsCache.Kind.POSITIVE) {
        List<NameServer> servers = new ArrayList<>();
        boolean usable = false;
        for (Record r : ns.records(now)) {
          NameServer s = new NameServer(((NSRecord) r).getTarget());
          addCachedAddresses(now, s);
          usable |= !s.addresses.isEmpty() || !s.name.subdomain(n);
          servers.add(s);
        }
        if (usable) {
          setServers(task, n, servers);
          return true;
        }
      }
      if (n.labels() <= 1) {
        break;
      }
      n = new Name(n, 1);
    }
    if (primeRoot && !task.priming && now.toEpochMilli() - primedAt >= PRIMING_RETRY_MILLIS) {
      waitForPriming(now, task);
      return false;
    }
    List<NameServer> roots = new ArrayList<>();
    for (RootHints.Server h : hints.servers()) {
      NameServer s = new NameServer(h.name());
      s.addresses.add(h.address());
      s.lookupStarted = true;
      roots.add(s);
    }
    setServers(task, Name.root, roots);
    return true;
  }

  /**
   * RFC 8109: before walking from the hints, ask a hinted server for the root's NS set and their
   * addresses; everything after uses that. One priming query at a time; a failed one is retried
   * only a minute later (meanwhile walks start from the hints).
   */
  private void waitForPriming(Instant now, ResolutionTask task) {
    QuestionKey key = new QuestionKey(Name.root, Type.NS);
    ResolutionTask priming = active.get(key);
    task.pendingChildren++;
    if (priming != null) {
      priming.waiters.add(new ResolutionTask.ResumeWaiter(task));
      return;
    }
    primedAt = now.toEpochMilli();
    priming =
        new ResolutionTask(
            ++nextId, Name.root, Type.NS, null, null, new ResolutionTask.Budget(maxQueries));
    priming.priming = true;
    priming.waiters.add(new ResolutionTask.ResumeWaiter(task));
    active.put(key, priming);
    advance(now, priming);
  }

  private void setServers(ResolutionTask task, Name zone, List<NameServer> servers) {
    Collections.shuffle(servers, new java.util.Random(random.nextLong()));
    task.zone = zone;
    task.servers = servers;
    task.tried.clear();
  }

  private void addCachedAddresses(Instant now, NameServer s) {
    for (int type : ipv6 ? new int[] {Type.A, Type.AAAA} : new int[] {Type.A}) {
      DnsCache.Entry e = cache.peekFresh(now, s.name, type);
      if (e != null && e.kind() == DnsCache.Kind.POSITIVE) {
        for (Record r : e.records(now)) {
          addAddress(s, r);
        }
      }
    }
  }

  private void addAddress(NameServer s, Record r) {
    InetAddress a =
        r instanceof ARecord ar
            ? ar.getAddress()
            : r instanceof AAAARecord aaaa && ipv6 ? aaaa.getAddress() : null;
    if (a != null) {
      InetSocketAddress addr = new InetSocketAddress(bare(a), upstreamPort);
      if (!s.addresses.contains(addr)) {
        s.addresses.add(addr);
      }
    }
  }

  /** The address without the host name dnsjava attaches (it would show in logs, never resolve). */
  private static InetAddress bare(InetAddress a) {
    try {
      return InetAddress.getByAddress(a.getAddress());
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException("4 or 16 bytes are always an address", e);
    }
  }

  private InetSocketAddress nextServer(ResolutionTask task) {
    for (NameServer s : task.servers) {
      for (InetSocketAddress a : s.addresses) {
        if (!task.tried.contains(a)) {
          return a;
        }
      }
    }
    return null;
  }

  /** Starts address lookups for NS names that have none; returns how many started. */
  private int startAddressLookups(Instant now, ResolutionTask task) {
    int started = 0;
    for (NameServer s : task.servers) {
      if (s.lookupStarted || !s.addresses.isEmpty()) {
        continue;
      }
      s.lookupStarted = true;
      if (task.depth + 1 > maxDepth) {
        continue;
      }
      ResolutionTask child = new ResolutionTask(++nextId, s.name, Type.A, task, s, task.budget);
      if (s.name.subdomain(task.zone)) {
        child.startAbove = task.zone; // only the parent's glue can tell; this zone cannot
      }
      task.pendingChildren++;
      started++;
      advance(now, child);
      if (task.done) {
        break;
      }
    }
    return started;
  }

  private void query(
      Instant now, ResolutionTask task, InetSocketAddress server, boolean tcp, boolean edns) {
    int id;
    do {
      id = random.nextInt(0x10000);
    } while (outstanding.containsKey(new Exchange.Key(server, id)));
    Name sent = randomizeCase ? randomCase(task.qname) : task.qname;
    Message m = new Message(id);
    m.addRecord(Record.newRecord(sent, task.type, DClass.IN), Section.QUESTION);
    if (edns) {
      m.addRecord(new OPTRecord(payloadSize, 0, 0), Section.ADDITIONAL);
    }
    long deadline = now.toEpochMilli() + (tcp ? tcpTimeoutMillis : udpTimeoutMillis);
    Exchange ex = new Exchange(task, server, id, sent, task.type, task.zone, tcp, edns, deadline);
    outstanding.put(ex.key(), ex);
    deadlines.add(ex);
    task.budget.left--;
    task.queries++;
    upstreamQueries++;
    if (tcp) {
      events.add(new ResolverEvent.TcpQuery(server, m.toWire()));
    } else {
      udpOut.add(new Transmit(server, ByteBuffer.wrap(m.toWire())));
    }
  }

  private Name randomCase(Name name) {
    byte[] wire = name.toWire();
    for (int i = 0; i < wire.length; i++) { // length bytes are below 64: never letters
      int b = wire[i] & 0xff;
      if ((b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z') && random.nextBoolean()) {
        wire[i] = (byte) (b ^ 0x20);
      }
    }
    try {
      return new Name(wire);
    } catch (IOException e) {
      throw new IllegalStateException("a name failed to re-read its own wire form", e);
    }
  }

  // ---- upstream responses -----------------------------------------------------------------

  private void upstreamResponse(Instant now, InetSocketAddress from, ByteBuffer datagram) {
    int id =
        (datagram.get(datagram.position()) & 0xff) << 8
            | datagram.get(datagram.position() + 1) & 0xff;
    Exchange ex = outstanding.get(new Exchange.Key(from, id));
    if (ex == null) {
      ignoredResponses++;
      return;
    }
    byte[] bytes = new byte[datagram.remaining()];
    datagram.duplicate().get(bytes);
    Message m;
    try {
      m = new Message(bytes);
    } catch (IOException e) {
      m = null; // unparseable: the server is broken; try another
    }
    if (m != null && !questionMatches(ex, m)) {
      ignoredResponses++;
      return; // not the answer to our question: ignore it and keep waiting
    }
    ex.finished = true;
    outstanding.remove(ex.key());
    ResolutionTask task = ex.task;
    if (task.done) {
      return;
    }
    if (m == null) {
      task.tried.add(from);
      advance(now, task);
      return;
    }
    process(now, task, ex, m);
  }

  private boolean questionMatches(Exchange ex, Message m) {
    Record q = m.getQuestion();
    if (q == null || q.getType() != ex.type || q.getDClass() != DClass.IN) {
      return false;
    }
    return randomizeCase
        ? q.getName().toString(false).equals(ex.sentName.toString(false))
        : q.getName().equals(ex.sentName);
  }

  private void process(Instant now, ResolutionTask task, Exchange ex, Message m) {
    int rcode = m.getRcode();
    if (m.getHeader().getFlag(Flags.TC) && !ex.tcp) {
      query(now, task, ex.server, true, ex.edns);
      return;
    }
    if (ex.edns && (rcode == Rcode.FORMERR || rcode == Rcode.NOTIMP || rcode == Rcode.BADVERS)) {
      noEdns.put(ex.server, Boolean.TRUE);
      query(now, task, ex.server, ex.tcp, false);
      return;
    }
    if (rcode == Rcode.YXDOMAIN) {
      // RFC 6672 §2.2: a DNAME substitution made a name too long; the DNAME is the answer
      RRset dname = dnameAbove(rrsets(m, Section.ANSWER), task.qname, ex.zone);
      if (dname != null) {
        List<Record> result = new ArrayList<>(task.chain);
        result.addAll(dname.rrs(false));
        complete(now, task, Rcode.YXDOMAIN, result, null, false);
        return;
      }
    }
    if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
      task.tried.add(ex.server);
      advance(now, task);
      return;
    }
    boolean aa = m.getHeader().getFlag(Flags.AA);
    Credibility cred = Credibility.ANSWER; // answer-section data, inside the bailiwick
    Name zone = ex.zone;
    List<RRset> answer = rrsets(m, Section.ANSWER);

    // the answer section: the data, or CNAMEs leading to it, believed inside the bailiwick
    Name current = task.qname;
    for (int hop = 0; hop <= maxCnameChain && current.subdomain(zone); hop++) {
      RRset data = find(answer, current, task.type);
      if (data != null) {
        cache.put(now, data, cred);
        if (data.getType() == Type.NS) {
          cacheAddresses(now, m, data, zone); // as for a referral: the servers' own glue
        }
        List<Record> result = new ArrayList<>(task.chain);
        result.addAll(data.rrs(false));
        complete(now, task, Rcode.NOERROR, result, null, false);
        return;
      }
      RRset cname = task.type == Type.CNAME ? null : find(answer, current, Type.CNAME);
      if (cname == null) {
        break;
      }
      cache.put(now, cname, cred);
      RRset dname = dnameAbove(answer, current, zone);
      if (dname != null && !task.chain.contains(dname.first())) {
        task.chain.add(dname.first()); // the DNAME the CNAME was synthesized from (RFC 6672 §3.4)
      }
      if (!followCname(now, task, (CNAMERecord) cname.first())) {
        return;
      }
      current = task.qname;
    }

    if (!current.subdomain(zone)) {
      advance(now, task); // a CNAME led out of this server's zone: resolve the target afresh
      return;
    }
    SOARecord soa = negativeSoa(m, current, zone);
    boolean followed = !current.equals(ex.sentName);
    if (rcode == Rcode.NXDOMAIN) {
      if (soa != null || (aa && !followed)) {
        cache.putNegative(now, current, task.type, true, soa);
        complete(now, task, Rcode.NXDOMAIN, task.chain, soa, false);
      } else {
        task.tried.add(ex.server); // an NXDOMAIN nobody vouches for: ask someone else
        advance(now, task);
      }
      return;
    }
    RRset referral = referral(m, current, zone);
    if (referral != null) {
      if (++task.referrals > maxReferrals) {
        fail(now, task);
        return;
      }
      cache.put(now, referral, Credibility.AUTHORITY);
      List<NameServer> servers = new ArrayList<>();
      for (Record r : referral.rrs(false)) {
        servers.add(new NameServer(((NSRecord) r).getTarget()));
      }
      cacheAddresses(now, m, referral, zone);
      for (NameServer s : servers) {
        addCachedAddresses(now, s);
      }
      setServers(task, referral.getName(), servers);
      advance(now, task);
      return;
    }
    if (soa != null || (aa && !followed)) {
      // NODATA. After a CNAME only an SOA can say so: an authoritative server stops at a
      // delegation without a word about the target.
      cache.putNegative(now, current, task.type, false, soa);
      complete(now, task, Rcode.NOERROR, task.chain, soa, false);
      return;
    }
    if (followed) {
      advance(now, task); // the target was not answered here: resolve it afresh
      return;
    }
    if (m.getSection(Section.AUTHORITY).stream().noneMatch(r -> r.getType() == Type.NS)) {
      // RFC 2308 §2.2 type 3: NOERROR, nothing relevant, no NS in authority: NODATA, which without
      // an SOA cannot be cached
      complete(now, task, Rcode.NOERROR, task.chain, null, false);
      return;
    }
    task.tried.add(ex.server); // lame: neither data, nor a negative answer, nor a referral down
    advance(now, task);
  }

  /**
   * Caches the additional-section addresses of {@code ns}'s servers that are inside {@code zone}.
   */
  private void cacheAddresses(Instant now, Message m, RRset ns, Name zone) {
    for (RRset glue : rrsets(m, Section.ADDITIONAL)) {
      if ((glue.getType() == Type.A || glue.getType() == Type.AAAA)
          && glue.getName().subdomain(zone)) {
        for (Record r : ns.rrs(false)) {
          if (((NSRecord) r).getTarget().equals(glue.getName())) {
            cache.put(now, glue, Credibility.ADDITIONAL);
            break;
          }
        }
      }
    }
  }

  /** A DNAME in the answer whose owner is a proper ancestor of {@code name} inside the zone. */
  private static RRset dnameAbove(List<RRset> answer, Name name, Name zone) {
    for (RRset set : answer) {
      if (set.getType() == Type.DNAME
          && name.subdomain(set.getName())
          && !name.equals(set.getName())
          && set.getName().subdomain(zone)) {
        return set;
      }
    }
    return null;
  }

  /** An SOA in the authority section that can vouch for a negative answer about {@code name}. */
  private static SOARecord negativeSoa(Message m, Name name, Name zone) {
    for (Record r : m.getSection(Section.AUTHORITY)) {
      if (r instanceof SOARecord soa
          && name.subdomain(soa.getName())
          && soa.getName().subdomain(zone)) {
        return soa;
      }
    }
    return null;
  }

  /**
   * An NS RRset in the authority section that delegates {@code name} strictly below {@code zone}.
   */
  private static RRset referral(Message m, Name name, Name zone) {
    for (RRset set : rrsets(m, Section.AUTHORITY)) {
      Name owner = set.getName();
      if (set.getType() == Type.NS
          && name.subdomain(owner)
          && owner.subdomain(zone)
          && !owner.equals(zone)) {
        return set;
      }
    }
    return null;
  }

  private static List<RRset> rrsets(Message m, int section) {
    List<RRset> sets = new ArrayList<>();
    for (Record r : m.getSection(section)) {
      RRset found = null;
      for (RRset s : sets) {
        if (s.getName().equals(r.getName()) && s.getType() == r.getRRsetType()) {
          found = s;
          break;
        }
      }
      if (found == null) {
        found = new RRset();
        sets.add(found);
      }
      found.addRR(r);
    }
    return sets;
  }

  private static RRset find(List<RRset> sets, Name name, int type) {
    for (RRset s : sets) {
      if (s.getType() == type && s.getName().equals(name)) {
        return s;
      }
    }
    return null;
  }

  // ---- finishing ----------------------------------------------------------------------------

  private void fail(Instant now, ResolutionTask task) {
    if (task.parent == null) {
      Resolution stale = fromCache(now, task.name, task.type, true);
      if (stale != null && stale.stale()) {
        staleAnswers++;
        finish(now, task, stale);
        return;
      }
      servfail++;
    }
    complete(now, task, Rcode.SERVFAIL, List.of(), null, false);
  }

  private void complete(
      Instant now,
      ResolutionTask task,
      int rcode,
      List<Record> answer,
      SOARecord soa,
      boolean stale) {
    finish(
        now, task, new Resolution(task.name, task.type, rcode, answer, soa, stale, task.queries));
  }

  private void finish(Instant now, ResolutionTask task, Resolution r) {
    if (task.done) {
      return;
    }
    task.done = true;
    if (task.parent == null) {
      active.remove(new QuestionKey(task.name, task.type));
      for (Waiter w : task.waiters) {
        deliver(now, w, r);
      }
      return;
    }
    ResolutionTask parent = task.parent;
    for (Record a : r.answer()) {
      addAddress(task.forServer, a);
    }
    parent.queries += task.queries;
    parent.pendingChildren--;
    if (!parent.done) {
      advance(now, parent);
    }
  }

  /** Configures an {@link IterativeResolver}. */
  public static final class Builder {
    private final RootHints hints;
    private DnsCache cache;
    private RandomGenerator random;
    private Duration udpTimeout = Duration.ofMillis(800);
    private Duration tcpTimeout = Duration.ofSeconds(3);
    private int maxQueries = 64;
    private int maxReferrals = 16;
    private int maxCnameChain = 12;
    private int maxDepth = 4;
    private int maxResolutions = 10_000;
    private int upstreamPort = 53;
    private boolean ipv6;
    private boolean randomizeCase;
    private boolean prefetch = true;
    private boolean primeRoot = true;
    private int payloadSize = 1232;
    private final IpPrefixMap.Builder<Boolean> clients = IpPrefixMap.builder();
    private boolean clientsSet;

    private Builder(RootHints hints) {
      this.hints = Objects.requireNonNull(hints, "hints");
    }

    /** The cache to use (and share). Default: a new {@link DnsCache} with its defaults. */
    public Builder cache(DnsCache cache) {
      this.cache = Objects.requireNonNull(cache);
      return this;
    }

    /** Where query IDs and server order come from. Default: a {@link SecureRandom}. */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random);
      return this;
    }

    /** How long to wait for a UDP answer before trying the next server. Default: 800 ms. */
    public Builder udpTimeout(Duration timeout) {
      this.udpTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /** How long to wait for a TCP answer. Default: 3 s. */
    public Builder tcpTimeout(Duration timeout) {
      this.tcpTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /** Most queries one resolution may send, address lookups included. Default: 64. */
    public Builder maxQueries(int n) {
      this.maxQueries = n;
      return this;
    }

    /** Most referrals one resolution may follow. Default: 16. */
    public Builder maxReferrals(int n) {
      this.maxReferrals = n;
      return this;
    }

    /** Longest CNAME chain followed. Default: 12. */
    public Builder maxCnameChain(int n) {
      this.maxCnameChain = n;
      return this;
    }

    /** Deepest nesting of NS address lookups. Default: 4. */
    public Builder maxDepth(int n) {
      this.maxDepth = n;
      return this;
    }

    /** Most resolutions in flight; more get SERVFAIL at once. Default: 10,000. */
    public Builder maxResolutions(int n) {
      this.maxResolutions = n;
      return this;
    }

    /** Port of servers learned from referrals (NS records carry none). Default: 53. */
    public Builder upstreamPort(int port) {
      this.upstreamPort = port;
      return this;
    }

    /** Whether to use name servers' IPv6 addresses. Default: off (IPv4 only). */
    public Builder ipv6(boolean on) {
      this.ipv6 = on;
      return this;
    }

    /** 0x20: randomize the letter case of each query name and require it echoed. Default: off. */
    public Builder randomizeCase(boolean on) {
      this.randomizeCase = on;
      return this;
    }

    /** Refresh popular cache entries in the last tenth of their TTL. Default: on. */
    public Builder prefetch(boolean on) {
      this.prefetch = on;
      return this;
    }

    /**
     * Prime the root (RFC 8109): learn the root servers from a hinted one before the first walk.
     * Default: on (off by itself when a hint uses a port other than the upstream port).
     */
    public Builder primeRoot(boolean on) {
      this.primeRoot = on;
      return this;
    }

    /** EDNS payload size offered upstream and to clients. Default: 1232. */
    public Builder payloadSize(int bytes) {
      this.payloadSize = bytes;
      return this;
    }

    /** Serve clients in {@code prefix}. Default (none given): loopback only. */
    public Builder allowClients(IpPrefix prefix) {
      clients.put(prefix, Boolean.TRUE);
      clientsSet = true;
      return this;
    }

    /** The engine. */
    public IterativeResolver build() {
      if (!clientsSet) {
        clients.put(IpPrefix.parse("127.0.0.0/8"), Boolean.TRUE);
        clients.put(IpPrefix.parse("::1/128"), Boolean.TRUE);
      }
      return new IterativeResolver(this);
    }
  }
}
