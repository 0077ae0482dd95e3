package dev.secdrive.emulator.endpoint.iscsi;

import dev.secdrive.protocol.iscsi.DataSegment;
import dev.secdrive.protocol.iscsi.IscsiPdu;
import dev.secdrive.protocol.iscsi.IscsiPdu.TextRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.TextResponse;
import dev.secdrive.protocol.iscsi.Negotiation;
import dev.secdrive.protocol.iscsi.NegotiationException;
import dev.secdrive.protocol.iscsi.Opcode;
import dev.secdrive.protocol.iscsi.RejectReason;
import dev.secdrive.protocol.iscsi.SessionParameters;
import dev.secdrive.protocol.iscsi.SessionType;
import dev.secdrive.protocol.iscsi.Stage;
import dev.secdrive.protocol.iscsi.TextException;
import dev.secdrive.protocol.iscsi.TextKeys;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * Text requests in the full feature phase (RFC 7143 sections 11.10, 11.11): SendTargets (section
 * 12.3, appendix C) and the few keys negotiable there, with the text spread over several PDUs in
 * either direction:
 *
 * <ul>
 *   <li>A request with the C bit is collected, each part answered with an empty Text Response (F=0)
 *       whose Target Transfer Tag the next part may carry, up to {@link #MAXIMUM_TEXT} bytes.
 *   <li>An answer longer than the initiator's MaxRecvDataSegmentLength goes out in parts: each but
 *       the last with C=1 and a Target Transfer Tag, the next sent when the initiator asks for it
 *       with an empty Text Request carrying that tag (section 11.11.4).
 * </ul>
 *
 * A Text Request with the Target Transfer Tag reserved and a new Initiator Task Tag starts afresh
 * (section 11.10.4). Not thread-safe: the session's event loop only.
 */
final class TextExchange {

  /** The longest request text collected across PDUs. */
  static final int MAXIMUM_TEXT = 65536;

  /** What to send for a Text Request. */
  sealed interface Outcome permits Respond, Refuse {}

  record Respond(TextResponse response) implements Outcome {}

  /** A Reject with {@code reason}; {@code problem} is for the log. */
  record Refuse(RejectReason reason, String problem) implements Outcome {}

  private final Portal portal;
  private final StatSn statSn;
  private final CommandWindow window;
  private ByteArrayOutputStream request;
  private int requestTag;
  private byte[] answer;
  private int answerOffset;
  private int answerTag;
  private int transferTag;
  private int nextTransferTag = 1;

  /**
   * @param statSn the numbering of the connection the requests come on
   * @param window the command window of its session
   */
  TextExchange(Portal portal, StatSn statSn, CommandWindow window) {
    this.portal = portal;
    this.statSn = statSn;
    this.window = window;
  }

  /**
   * The answer to {@code text}.
   *
   * @param portalAddress this portal as SendTargets names it
   */
  Outcome handle(TextRequest text, SessionParameters parameters, String portalAddress) {
    int itt = text.initiatorTaskTag();
    int segment = parameters.initiatorMaxRecvDataSegmentLength();
    if (answer != null && itt == answerTag && text.targetTransferTag() == transferTag) {
      if (!text.data().isEmpty()) {
        return new Refuse(
            RejectReason.PROTOCOL_ERROR, "a Text Request that continues an answer carries text");
      }
      return new Respond(nextPart(text, segment));
    }
    boolean continuing =
        request != null
            && itt == requestTag
            && (text.targetTransferTag() == transferTag
                || text.targetTransferTag() == IscsiPdu.RESERVED_TAG);
    if (!continuing) {
      if (text.targetTransferTag() != IscsiPdu.RESERVED_TAG) {
        return new Refuse(
            RejectReason.INVALID_PDU_FIELD,
            "Target Transfer Tag " + Integer.toHexString(text.targetTransferTag()) + " unknown");
      }
      answer = null; // section 11.10.4: a new request ends an unfinished exchange
      request = new ByteArrayOutputStream();
      requestTag = itt;
    }
    if (request.size() + text.data().length() > MAXIMUM_TEXT) {
      request = null;
      return new Refuse(
          RejectReason.INVALID_PDU_FIELD, "request text beyond " + MAXIMUM_TEXT + " bytes");
    }
    request.writeBytes(text.data().toByteArray());
    if (text.continues()) {
      transferTag = newTransferTag();
      return new Respond(response(text, false, false, transferTag, new byte[0]));
    }
    byte[] whole = request.toByteArray();
    request = null;
    byte[] encoded;
    try {
      encoded = answer(whole, parameters, portalAddress);
    } catch (TextException | NegotiationException e) {
      return new Refuse(RejectReason.INVALID_PDU_FIELD, "bad Text Request: " + e.getMessage());
    }
    answer = encoded;
    answerOffset = 0;
    answerTag = itt;
    return new Respond(nextPart(text, segment));
  }

  private byte[] answer(byte[] text, SessionParameters parameters, String portalAddress)
      throws TextException, NegotiationException {
    TextKeys keys = TextKeys.parse(text, MAXIMUM_TEXT);
    Negotiation.Result result =
        Negotiation.respond(
            portal.policy(), Opcode.Sender.TARGET, Stage.FULL_FEATURE_PHASE, parameters, keys);
    TextKeys answer = result.answer();
    Optional<String> sendTargets = result.sendTargets();
    if (sendTargets.isPresent()) {
      String which = sendTargets.get();
      boolean all = which.equals("All") && parameters.sessionType() == SessionType.DISCOVERY;
      if (all || which.equals(portal.targetName()) || which.isEmpty()) {
        answer =
            answer.with(
                TextKeys.of("TargetName", portal.targetName(), "TargetAddress", portalAddress));
      }
    }
    return answer.encode();
  }

  /** The next part of the answer: C=1 and a Target Transfer Tag while more is to come. */
  private TextResponse nextPart(TextRequest text, int segment) {
    int length = Math.min(segment, answer.length - answerOffset);
    byte[] part = Arrays.copyOfRange(answer, answerOffset, answerOffset + length);
    answerOffset += length;
    if (answerOffset < answer.length) {
      transferTag = newTransferTag();
      return response(text, false, true, transferTag, part);
    }
    answer = null;
    return response(text, true, false, IscsiPdu.RESERVED_TAG, part);
  }

  private TextResponse response(
      TextRequest text, boolean last, boolean continues, int ttt, byte[] data) {
    return new TextResponse(
        last,
        continues,
        text.lun(),
        text.initiatorTaskTag(),
        ttt,
        statSn.take(),
        window.expCmdSn(),
        window.maxCmdSn(),
        DataSegment.of(data));
  }

  private int newTransferTag() {
    int tag = nextTransferTag++;
    if (nextTransferTag == IscsiPdu.RESERVED_TAG) {
      nextTransferTag = 1;
    }
    return tag;
  }
}
