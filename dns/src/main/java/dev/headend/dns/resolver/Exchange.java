package dev.headend.dns.resolver;

import java.net.InetSocketAddress;
import org.xbill.DNS.Name;

/** One query sent upstream and not yet answered. */
final class Exchange {
  final ResolutionTask task;
  final InetSocketAddress server;
  final int id;
  final Name sentName; // exactly as sent (case randomized, if enabled)
  final int type;
  final Name zone; // the zone cut the server was asked as
  final boolean tcp;
  final boolean edns;
  final long deadline; // engine time, epoch millis
  boolean finished;

  Exchange(
      ResolutionTask task,
      InetSocketAddress server,
      int id,
      Name sentName,
      int type,
      Name zone,
      boolean tcp,
      boolean edns,
      long deadline) {
    this.task = task;
    this.server = server;
    this.id = id;
    this.sentName = sentName;
    this.type = type;
    this.zone = zone;
    this.tcp = tcp;
    this.edns = edns;
    this.deadline = deadline;
  }

  record Key(InetSocketAddress server, int id) {}

  Key key() {
    return new Key(server, id);
  }
}
