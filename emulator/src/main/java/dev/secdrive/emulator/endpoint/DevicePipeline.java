package dev.secdrive.emulator.endpoint;

import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.protocol.frame.Frame;
import dev.secdrive.protocol.frame.TcpFrameDecoder;
import dev.secdrive.protocol.frame.TcpFrameEncoder;
import io.netty.channel.ChannelPipeline;

/**
 * The one device pipeline every carrier uses: length-prefixed frames in and out, then the commands.
 * Serial adds a reply cache in front of the commands, because a host on a serial line retries with
 * the same tag.
 */
public final class DevicePipeline {

  private DevicePipeline() {}

  public static void initialize(
      ChannelPipeline pipeline, Target target, int maximumDataLength, boolean replyCache) {
    pipeline
        .addLast("frameDecoder", new TcpFrameDecoder(Frame.maximumFrameLength(maximumDataLength)))
        .addLast("frameEncoder", TcpFrameEncoder.INSTANCE);
    if (replyCache) {
      pipeline.addLast("replyCache", new ReplyCache());
    }
    pipeline.addLast("commands", new CommandHandler(target));
  }
}
