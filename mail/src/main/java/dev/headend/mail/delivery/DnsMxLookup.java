package dev.headend.mail.delivery;

import dev.headend.dns.transport.StubResolver;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/** {@link MxLookup#dns}: MX, A and AAAA queries through the dns module's stub resolver. */
final class DnsMxLookup implements MxLookup {
  private final StubResolver resolver;
  private final Duration timeout;

  DnsMxLookup(StubResolver resolver, Duration timeout) {
    this.resolver = resolver;
    this.timeout = timeout;
  }

  @Override
  public List<MxRecord> mx(String domain) throws LookupException {
    List<MxRecord> out = new ArrayList<>();
    for (Record r : answer(domain, Type.MX)) {
      if (r instanceof MXRecord mx) {
        String host = mx.getTarget().toString(true);
        out.add(new MxRecord(mx.getPriority(), mx.getTarget().equals(Name.root) ? "." : host));
      }
    }
    return out;
  }

  @Override
  public List<InetAddress> addresses(String host) throws LookupException {
    List<InetAddress> out = new ArrayList<>();
    for (int type : new int[] {Type.AAAA, Type.A}) {
      for (Record r : answer(host, type)) {
        if (r instanceof ARecord a) {
          out.add(a.getAddress());
        } else if (r instanceof AAAARecord a) {
          out.add(a.getAddress());
        }
      }
    }
    return out;
  }

  private List<Record> answer(String name, int type) throws LookupException {
    Name n;
    try {
      n = Name.fromString(name.endsWith(".") ? name : name + ".");
    } catch (TextParseException e) {
      throw new LookupException("bad domain name " + name + ": " + e.getMessage(), true);
    }
    Message m;
    try {
      m = resolver.query(n, type).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LookupException("interrupted", false);
    } catch (ExecutionException | TimeoutException e) {
      throw new LookupException("DNS failed for " + name + ": " + e, false);
    }
    int rcode = m.getRcode();
    if (rcode == Rcode.NXDOMAIN) {
      throw new LookupException(name + ": no such domain", true);
    }
    if (rcode != Rcode.NOERROR) {
      throw new LookupException(name + ": " + Rcode.string(rcode), false);
    }
    List<Record> out = new ArrayList<>();
    for (Record r : m.getSection(Section.ANSWER)) {
      if (r.getType() == type) {
        out.add(r);
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "MxLookup.dns(" + resolver + ")";
  }
}
