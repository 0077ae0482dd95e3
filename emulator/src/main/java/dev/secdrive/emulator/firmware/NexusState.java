package dev.secdrive.emulator.firmware;

import dev.secdrive.emulator.secure.SecureLayer;
import dev.secdrive.protocol.data.MediaEventStatus.MediaEvent;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What one logical unit keeps per I_T nexus: pending unit attentions (SAM-5 5.15: one host reading
 * "medium may have changed" does not clear it for another), the nexus's PREVENT (SPC-4 6.13), its
 * unreported media event (MMC-6 6.6) and its secure-layer session.
 */
public final class NexusState {

  private final Deque<SenseData> unitAttentions = new ArrayDeque<>();
  private final String initiator;
  private final SecureLayer.Session session;
  private boolean prevent;
  private MediaEvent mediaEvent = MediaEvent.NO_CHANGE;

  /**
   * @param initiator the initiator port ({@link Nexus#initiator()}), which names the I_T nexus in
   *     persistent reservations
   */
  public NexusState(String initiator, SecureLayer.Session session) {
    this.initiator = initiator;
    this.session = session;
    unitAttentions.add(SenseData.of(SenseKey.UNIT_ATTENTION, AdditionalSense.POWER_ON_RESET));
  }

  /** Takes the oldest pending unit attention, or returns null when none is pending. */
  public SenseData pollUnitAttention() {
    return unitAttentions.poll();
  }

  void unitAttention(AdditionalSense sense) {
    SenseData data = SenseData.of(SenseKey.UNIT_ATTENTION, sense);
    if (!unitAttentions.contains(data)) {
      unitAttentions.add(data);
    }
  }

  /** The initiator port of this I_T nexus. */
  public String initiator() {
    return initiator;
  }

  /** The nexus's secure-layer session (open title, conversion in progress). */
  public SecureLayer.Session session() {
    return session;
  }

  public boolean prevent() {
    return prevent;
  }

  public void prevent(boolean prevent) {
    this.prevent = prevent;
  }

  /** Takes the media event not yet reported to this nexus; NO_CHANGE from then on. */
  public MediaEvent takeMediaEvent() {
    MediaEvent event = mediaEvent;
    mediaEvent = MediaEvent.NO_CHANGE;
    return event;
  }

  void mediaEvent(MediaEvent event) {
    this.mediaEvent = event;
  }
}
