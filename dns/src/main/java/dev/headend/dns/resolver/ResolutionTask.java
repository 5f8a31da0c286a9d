package dev.headend.dns.resolver;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * One resolution in progress: where it is in the tree, what it has tried, who waits for it. Owned
 * by one {@link IterativeResolver}; never shared across threads.
 */
final class ResolutionTask {
  /** A name server of the current zone cut, with the addresses known for it. */
  static final class NameServer {
    final Name name;
    final List<InetSocketAddress> addresses = new ArrayList<>();
    boolean lookupStarted;

    NameServer(Name name) {
      this.name = name;
    }
  }

  /** Queries a top-level resolution and its address lookups may still send, together. */
  static final class Budget {
    int left;

    Budget(int left) {
      this.left = left;
    }
  }

  /** Someone waiting for the outcome. */
  sealed interface Waiter {}

  /** Another resolution waiting for this one (root priming): resume it. */
  record ResumeWaiter(ResolutionTask task) implements Waiter {}

  /** {@link IterativeResolver#resolve}: answer with an event. */
  record ApiWaiter(long requestId) implements Waiter {}

  /** A client query: answer with a response message, by UDP or as an event. */
  record ClientWaiter(
      long requestId,
      InetSocketAddress udpClient, // null: deliver as a ResponseReady event
      int id,
      int flags,
      Name qname,
      int qclass,
      boolean edns,
      boolean dnssecOk,
      int maxSize)
      implements Waiter {}

  final long id;
  final Name name; // as first asked
  final int type;
  final ResolutionTask parent; // an NS address lookup's owner, or null
  final ResolutionTask.NameServer forServer; // the parent's server whose address this finds
  final int depth;
  final Budget budget;
  final List<Waiter> waiters = new ArrayList<>();
  final List<Record> chain = new ArrayList<>(); // CNAMEs followed so far
  final Set<InetSocketAddress> tried = new HashSet<>();
  Name qname; // the name being looked up now (after CNAMEs)
  Name zone; // the zone cut whose servers we ask, or null until found
  List<NameServer> servers;
  int referrals;
  int pendingChildren;
  int queries;
  boolean bypassCache; // a prefetch: ask upstream even though the cache has it
  boolean priming; // the root priming query itself (RFC 8109)
  Name startAbove; // an NS address lookup for a name inside this zone: start at its parent
  boolean done;

  ResolutionTask(
      long id, Name name, int type, ResolutionTask parent, NameServer forServer, Budget budget) {
    this.id = id;
    this.name = name;
    this.type = type;
    this.qname = name;
    this.parent = parent;
    this.forServer = forServer;
    this.depth = parent == null ? 0 : parent.depth + 1;
    this.budget = budget;
  }

  /** Forgets the zone cut (after following a CNAME to another part of the tree). */
  void resetDelegation() {
    zone = null;
    servers = null;
    tried.clear();
  }
}
