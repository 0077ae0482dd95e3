package dev.secdrive.protocol.security;

/** SECURITY PROTOCOL and SECURITY PROTOCOL SPECIFIC values secdrive implements. */
public final class SecurityProtocols {

  /** Security protocol information (SPC-4 7.7.1). */
  public static final int INFORMATION = 0x00;

  /** secdrive licensing, in the vendor-specific range F0h-FFh (SPC-4 table 250). */
  public static final int SECDRIVE = 0xF0;

  /** Protocol 00h: supported security protocol list. */
  public static final int SUPPORTED_PROTOCOLS = 0x0000;

  /** Protocol 00h: certificate data. */
  public static final int CERTIFICATE_DATA = 0x0001;

  private SecurityProtocols() {}
}
