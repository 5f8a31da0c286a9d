/**
 * headend core: decode errors, bounded wire reading, IP and MAC addresses and prefixes, the engine
 * shapes every protocol module implements, and JDK NIO transports that drive them.
 */
module dev.headend.core {
  exports dev.headend.core;
  exports dev.headend.core.net;
  exports dev.headend.core.transport;
}
