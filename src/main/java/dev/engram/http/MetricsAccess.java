package dev.engram.http;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Who may read {@code /metrics} ({@code METRICS_ACCESS}): {@code loopback} (the default) lets a caller on the same
 * machine in without credentials and asks anyone else for the admin password (or an admin token, see
 * {@link Authenticator}); {@code admin} always asks for it;
 * {@code open} lets everyone in (a scraper on a private network). The peer address is the TCP peer's: behind a reverse
 * proxy on the same machine every caller looks local, so use {@code admin} there.
 */
public enum MetricsAccess {
  LOOPBACK, ADMIN, OPEN;

  public static MetricsAccess parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("METRICS_ACCESS must be loopback, admin or open, got '" + value + "'");
    }
  }

  /** Whether a caller from {@code peerHost} (an IP literal), with or without the admin password, may read. */
  public boolean allows(String peerHost, boolean admin) {
    return switch (this) {
      case OPEN -> true;
      case ADMIN -> admin;
      case LOOPBACK -> admin || isLoopback(peerHost);
    };
  }

  static boolean isLoopback(String host) {
    // only an IP literal counts (no name is ever looked up); a Unix socket or an unknown peer is not assumed local
    byte[] address = host == null ? null : NetUtil.createByteArrayFromIpAddressString(host);
    if (address == null) {
      return false;
    }
    try {
      return InetAddress.getByAddress(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
