/** Access and refresh token pairs: rotation, reuse detection, revocation. */
package dev.headend.jwt.session;
