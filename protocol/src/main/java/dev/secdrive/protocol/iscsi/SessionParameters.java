package dev.secdrive.protocol.iscsi;

import java.util.Objects;

/**
 * The operational parameters of a session and its connection as login leaves them (RFC 7143 section
 * 13), starting from the defaults of {@link #defaults()}. The names and aliases are empty until
 * declared; the two MaxRecvDataSegmentLength values are each end's declaration: the initiator's
 * bounds what the target sends, the target's what the initiator sends.
 */
public record SessionParameters(
    SessionType sessionType,
    String initiatorName,
    String initiatorAlias,
    String targetName,
    String targetAlias,
    int targetPortalGroupTag,
    String authMethod,
    boolean headerDigest,
    boolean dataDigest,
    int maxConnections,
    boolean initialR2T,
    boolean immediateData,
    int initiatorMaxRecvDataSegmentLength,
    int targetMaxRecvDataSegmentLength,
    int maxBurstLength,
    int firstBurstLength,
    int defaultTime2Wait,
    int defaultTime2Retain,
    int maxOutstandingR2T,
    boolean dataPduInOrder,
    boolean dataSequenceInOrder,
    int errorRecoveryLevel) {

  public SessionParameters {
    Objects.requireNonNull(sessionType, "sessionType");
    Objects.requireNonNull(initiatorName, "initiatorName");
    Objects.requireNonNull(initiatorAlias, "initiatorAlias");
    Objects.requireNonNull(targetName, "targetName");
    Objects.requireNonNull(targetAlias, "targetAlias");
    Objects.requireNonNull(authMethod, "authMethod");
    if (firstBurstLength > maxBurstLength) {
      throw new IllegalArgumentException("FirstBurstLength above MaxBurstLength (section 13.14)");
    }
  }

  /** The defaults of section 13: what holds for every key login does not negotiate. */
  public static SessionParameters defaults() {
    return new SessionParameters(
        SessionType.NORMAL,
        "",
        "",
        "",
        "",
        0,
        "None",
        false,
        false,
        1,
        true,
        true,
        8192,
        8192,
        262144,
        65536,
        2,
        20,
        1,
        true,
        true,
        0);
  }

  /**
   * The parameters a connection joining this session starts its login from (section 6.3.3): the
   * session-wide values stay, the connection's own (digests, each end's MaxRecvDataSegmentLength,
   * AuthMethod) return to their defaults for its login to negotiate.
   */
  public SessionParameters forNewConnection() {
    SessionParameters d = defaults();
    return new SessionParameters(
        sessionType,
        initiatorName,
        initiatorAlias,
        targetName,
        targetAlias,
        targetPortalGroupTag,
        d.authMethod,
        d.headerDigest,
        d.dataDigest,
        maxConnections,
        initialR2T,
        immediateData,
        d.initiatorMaxRecvDataSegmentLength,
        d.targetMaxRecvDataSegmentLength,
        maxBurstLength,
        firstBurstLength,
        defaultTime2Wait,
        defaultTime2Retain,
        maxOutstandingR2T,
        dataPduInOrder,
        dataSequenceInOrder,
        errorRecoveryLevel);
  }

  /** The settings this end's codec decodes with, once login has reached the full feature phase. */
  public PduCodec.Settings receiving(Opcode.Sender peer) {
    int limit =
        peer == Opcode.Sender.INITIATOR
            ? targetMaxRecvDataSegmentLength
            : initiatorMaxRecvDataSegmentLength;
    return new PduCodec.Settings(peer, limit, headerDigest, dataDigest);
  }

  /** The settings this end's codec encodes with, once login has reached the full feature phase. */
  public PduCodec.Settings sending(Opcode.Sender us) {
    int limit =
        us == Opcode.Sender.TARGET
            ? initiatorMaxRecvDataSegmentLength
            : targetMaxRecvDataSegmentLength;
    return new PduCodec.Settings(us, limit, headerDigest, dataDigest);
  }
}
