package dev.secdrive.protocol.link;

/**
 * A link frame, before CRC and COBS. Both kinds carry the session of the side that sends the data,
 * so a peer that restarted is told apart from one whose old frames are still on the line.
 */
public sealed interface LinkFrame {

  int TYPE_DATA = 0x01;
  int TYPE_ACK = 0x02;

  /**
   * One chunk of a message.
   *
   * @param session the sender's session, chosen at random when its link starts
   * @param messageId the message, numbered by the sender
   * @param totalLength the message's length in bytes
   * @param chunkIndex which chunk this is
   * @param bytes the chunk's bytes
   */
  record Data(int session, int messageId, int totalLength, int chunkIndex, byte[] bytes)
      implements LinkFrame {
    public static final int HEADER_LENGTH = 1 + 4 + 4 + 4 + 2;
  }

  /**
   * The receiver has chunk {@code chunkIndex} of message {@code messageId}.
   *
   * @param session the session of the data's sender, echoed
   */
  record Ack(int session, int messageId, int chunkIndex) implements LinkFrame {
    public static final int LENGTH = 1 + 4 + 4 + 2;
  }
}
