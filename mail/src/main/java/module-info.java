/**
 * headend mail: a sans-I/O SMTP server engine (RFC 5321 and its extensions), the RFC 5322 message
 * model with durable message stores, and a TCP adapter on the core stream transport.
 */
module dev.headend.mail {
  requires transitive dev.headend.core;
  requires transitive dev.headend.dns;

  exports dev.headend.mail.smtp;
  exports dev.headend.mail.smtp.client;
  exports dev.headend.mail.delivery;
  exports dev.headend.mail.smtp.transport;
  exports dev.headend.mail.message;
}
