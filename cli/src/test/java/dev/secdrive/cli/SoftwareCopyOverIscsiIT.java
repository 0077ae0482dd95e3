package dev.secdrive.cli;

/**
 * Every flow of {@link SoftwareCopyIT} with the host driver attached to the emulator's master and
 * user drives over iSCSI (the second emulator's and the rogue drive stay on TCP, so copies also
 * cross carriers).
 */
class SoftwareCopyOverIscsiIT extends SoftwareCopyIT {

  @Override
  String uri(int lun) {
    return Rig.iscsiUri(portal, lun);
  }
}
