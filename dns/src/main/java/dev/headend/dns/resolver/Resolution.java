package dev.headend.dns.resolver;

import java.util.List;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;

/**
 * The outcome of resolving a name and type.
 *
 * @param name the name asked for
 * @param type the type asked for
 * @param rcode NOERROR, NXDOMAIN or SERVFAIL
 * @param answer the answer: CNAMEs followed, then the data (empty for negative answers)
 * @param soa the SOA of a negative answer, if the server gave one
 * @param stale whether the data is expired data served because resolution failed (RFC 8767)
 * @param queries how many queries were sent upstream for it (0 when all came from the cache)
 */
public record Resolution(
    Name name,
    int type,
    int rcode,
    List<Record> answer,
    SOARecord soa,
    boolean stale,
    int queries) {

  /** Defensive copy of the answer. */
  public Resolution {
    answer = List.copyOf(answer);
  }

  /** Whether the name exists with data of the type. */
  public boolean isPositive() {
    return rcode == Rcode.NOERROR && answer.stream().anyMatch(r -> r.getType() == type);
  }
}
