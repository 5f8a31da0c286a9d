package dev.headend.dhcp.server;

import dev.headend.core.net.Ipv4Address;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/** {@link LeaseStore#inMemory()}. */
final class MemoryLeaseStore implements LeaseStore {
  private final Map<Ipv4Address, Lease> leases = new HashMap<>();

  @Override
  public Collection<Lease> load() {
    return new ArrayList<>(leases.values());
  }

  @Override
  public void put(Lease lease) {
    leases.put(lease.address(), lease);
  }

  @Override
  public void remove(Ipv4Address address) {
    leases.remove(address);
  }

  @Override
  public void sync() {}

  @Override
  public void close() {}
}
