/**
 * headend TFTP: packet codec (RFC 1350, 2347, 2348, 2349, 7440) with netascii, and sans-I/O
 * transfer engines.
 */
module dev.headend.tftp {
  requires transitive dev.headend.core;

  exports dev.headend.tftp;
  exports dev.headend.tftp.transport;
  exports dev.headend.tftp.wire;
}
