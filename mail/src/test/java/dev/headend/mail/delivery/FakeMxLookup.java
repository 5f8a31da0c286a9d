package dev.headend.mail.delivery;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** DNS for tests: MX records and addresses from maps; NXDOMAIN and SERVFAIL on request. */
public final class FakeMxLookup implements MxLookup {
  private final Map<String, List<MxRecord>> mx = new HashMap<>();
  private final Map<String, List<InetAddress>> addresses = new HashMap<>();
  private final Set<String> nxdomain = new HashSet<>();
  private final Set<String> servfail = new HashSet<>();
  public int mxQueries;

  /** An empty DNS. */
  public FakeMxLookup() {}

  public FakeMxLookup mx(String domain, MxRecord... records) {
    mx.put(domain, List.of(records));
    return this;
  }

  public FakeMxLookup host(String name, InetAddress... a) {
    addresses.put(name, List.of(a));
    return this;
  }

  public FakeMxLookup nxdomain(String domain) {
    nxdomain.add(domain);
    return this;
  }

  public FakeMxLookup servfail(String domain) {
    servfail.add(domain);
    return this;
  }

  @Override
  public List<MxRecord> mx(String domain) throws LookupException {
    mxQueries++;
    check(domain);
    return mx.getOrDefault(domain, List.of());
  }

  @Override
  public List<InetAddress> addresses(String host) throws LookupException {
    check(host);
    return addresses.getOrDefault(host, List.of());
  }

  private void check(String name) throws LookupException {
    if (nxdomain.contains(name)) {
      throw new LookupException(name + ": NXDOMAIN", true);
    }
    if (servfail.contains(name)) {
      throw new LookupException(name + ": SERVFAIL", false);
    }
  }
}
